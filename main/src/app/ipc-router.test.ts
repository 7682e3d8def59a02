import { SwitchboardError } from '@switchboard/protocol';
import { IPC } from '@switchboard/protocol/desktop';
import { describe, expect, it } from 'vitest';
import { RecordingLog } from '../testing/fakes.ts';
import { IpcRouter, type IpcEventLike, type IpcMainLike } from './ipc-router.ts';

/** ipcMain: `on` listeners get (event, ...args); `handle` listeners return the answer. */
class FakeIpcMain implements IpcMainLike {
  readonly listeners = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void) {
    this.listeners.set(channel, listener);
  }
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown) {
    this.listeners.set(channel, listener);
  }
  send(channel: string, frameUrl: string | null, ...args: unknown[]): unknown {
    return this.listeners.get(channel)!(
      { senderFrame: frameUrl === null ? null : { url: frameUrl } },
      ...args,
    );
  }
}

const APP = 'app://switchboard/index.html';

function router() {
  const ipc = new FakeIpcMain();
  const log = new RecordingLog();
  const routed = new IpcRouter(ipc, log);
  const received: unknown[] = [];
  routed.on(IPC.network, ([online]) => void received.push(online));
  routed.on(IPC.rendererError, (args) => void received.push(args));
  routed.handle(IPC.appInfo, () => ({ version: '1' }));
  return { ipc, log, received };
}

describe('IpcRouter', () => {
  it('passes checked messages from the app’s frame', async () => {
    const { ipc, received } = router();
    ipc.send(IPC.network, APP, false);
    ipc.send(IPC.rendererError, APP, 'boom', 'at x');
    expect(received).toEqual([false, ['boom', 'at x']]);
    expect(await ipc.send(IPC.appInfo, APP)).toEqual({ version: '1' });
  });

  it('refuses messages from any other frame, and logs them', async () => {
    const { ipc, received, log } = router();
    ipc.send(IPC.network, 'https://evil.example/', true);
    ipc.send(IPC.network, null, true);
    ipc.send(IPC.network, 'app://switchboard.evil/', true);
    await expect(ipc.send(IPC.appInfo, 'https://evil.example/') as Promise<unknown>).rejects.toThrow(
      'refused',
    );
    expect(received).toEqual([]);
    expect(log.lines.map((l) => l.details.code)).toEqual([
      'forbidden',
      'forbidden',
      'forbidden',
      'forbidden',
    ]);
  });

  it('refuses payloads that do not match the channel’s schema', () => {
    const { ipc, received, log } = router();
    ipc.send(IPC.network, APP, 'yes');
    ipc.send(IPC.network, APP);
    ipc.send(IPC.network, APP, true, 'extra');
    ipc.send(IPC.rendererError, APP, 'x'.repeat(5000));
    expect(received).toEqual([]);
    expect(log.lines.every((l) => l.details.code === 'validation_failed')).toBe(true);
    expect(log.lines).toHaveLength(4);
  });

  it('logs what a one-way handler refuses, with its code, instead of throwing into ipcMain', () => {
    const ipc = new FakeIpcMain();
    const log = new RecordingLog();
    new IpcRouter(ipc, log).on(IPC.switchServer, ([id]) => {
      throw new SwitchboardError('not_found', `there is no account ${id} in the server list`);
    });
    expect(() => ipc.send(IPC.switchServer, APP, 'nobody')).not.toThrow();
    expect(log.lines.map((l) => [l.message, l.details.code])).toEqual([['refused IPC', 'not_found']]);
  });
});
