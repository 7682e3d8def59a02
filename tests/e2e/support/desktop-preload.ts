// The test preload for the desktop renderer in Chromium: the real preload logic
// (preload/src/bridge.ts) with a WebSocket to the test standing in for Electron's IPC. Session ports
// are MessageChannels made here, their far end bridged over the same socket to the core running
// in Node — so the page receives its port exactly as in the app, by window.postMessage.
import { installBridge, type IpcRendererLike } from '../../../preload/src/bridge.ts';

/** Frames between this script and the test (desktop-bridge.ts). */
type Frame =
  | { k: 'ipc'; channel: string; args: unknown[] }
  | { k: 'port'; port: number }
  | { k: 'port-data'; port: number; data: unknown }
  | { k: 'send'; channel: string; args: unknown[] }
  | { k: 'invoke'; id: number; channel: string; args: unknown[] }
  | { k: 'reply'; id: number; result: unknown; error?: string };

const socket = new WebSocket(`ws://${location.host}/__desktop-ipc`);
const outbox: Frame[] = [];
const send = (frame: Frame) => {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  else outbox.push(frame);
};
socket.addEventListener('open', () => {
  for (const frame of outbox.splice(0)) socket.send(JSON.stringify(frame));
});

const listeners = new Map<
  string,
  ((event: { ports: readonly MessagePort[] }, ...args: unknown[]) => void)[]
>();
const replies = new Map<number, { resolve(result: unknown): void; reject(error: Error): void }>();
let nextInvoke = 1;
/** This page's end of the current session channel, and which port main gave it (frames say). */
let sessionEnd: MessagePort | null = null;
let sessionPort = 0;

socket.addEventListener('message', (message) => {
  const frame = JSON.parse(String(message.data)) as Frame;
  const emit = (channel: string, ports: MessagePort[], args: unknown[]) => {
    for (const listener of listeners.get(channel) ?? []) listener({ ports }, ...args);
  };
  switch (frame.k) {
    case 'port': {
      // A fresh channel per port main hands over, as MessageChannelMain makes one.
      sessionEnd?.close();
      const channel = new MessageChannel();
      const port = frame.port;
      sessionEnd = channel.port1;
      sessionPort = port;
      sessionEnd.onmessage = (event) => send({ k: 'port-data', port, data: event.data });
      return emit('switchboard:session-port', [channel.port2], []);
    }
    case 'port-data':
      if (frame.port === sessionPort) sessionEnd?.postMessage(frame.data);
      return;
    case 'ipc':
      return emit(frame.channel, [], frame.args);
    case 'reply': {
      const reply = replies.get(frame.id);
      replies.delete(frame.id);
      // As Electron's invoke rejects when the handler throws.
      if (frame.error !== undefined)
        reply?.reject(new Error(`Error invoking remote method '${frame.id}': Error: ${frame.error}`));
      else reply?.resolve(frame.result);
      return;
    }
  }
});

const ipc: IpcRendererLike = {
  on(channel, listener) {
    listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
  },
  send: (channel, ...args) => send({ k: 'send', channel, args }),
  invoke: (channel, ...args) =>
    new Promise((resolve, reject) => {
      const id = nextInvoke++;
      replies.set(id, { resolve, reject });
      send({ k: 'invoke', id, channel, args });
    }),
};

installBridge({
  ipc,
  // contextBridge copies a frozen API into the page's world; here the page's world is this one.
  expose: (key, api) => Object.defineProperty(window, key, { value: api, enumerable: true }),
  window,
  platform: 'linux',
});
