import { SwitchboardError } from '@switchboard/protocol';
import { IPC } from '@switchboard/protocol/desktop';
import { describe, expect, it, vi } from 'vitest';
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
    expect(await ipc.send(IPC.appInfo, APP)).toEqual({ ok: true, value: { version: '1' } });
  });

  it('refuses messages from any other frame, and logs them', async () => {
    const { ipc, received, log } = router();
    ipc.send(IPC.network, 'https://evil.example/', true);
    ipc.send(IPC.network, null, true);
    ipc.send(IPC.network, 'app://switchboard.evil/', true);
    expect(await ipc.send(IPC.appInfo, 'https://evil.example/')).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
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

  it('answers a malformed request with validation_failed, without calling its handler', async () => {
    const ipc = new FakeIpcMain();
    let called = false;
    new IpcRouter(ipc, new RecordingLog()).handle(IPC.setLocalServerLan, () => (called = true));
    expect(await ipc.send(IPC.setLocalServerLan, APP, 'yes')).toMatchObject({
      ok: false,
      code: 'validation_failed',
    });
    expect(called).toBe(false);
  });

  it('logs what a one-way handler refuses — thrown or rejected — with its code, instead of throwing into ipcMain', async () => {
    const ipc = new FakeIpcMain();
    const log = new RecordingLog();
    const routed = new IpcRouter(ipc, log);
    routed.on(IPC.switchServer, ([id]) => {
      throw new SwitchboardError('not_found', `there is no account ${id} in the server list`);
    });
    routed.on(IPC.removeServer, async ([id]) => {
      throw new SwitchboardError('not_found', `there is no account ${id} in the server list`);
    });
    expect(() => ipc.send(IPC.switchServer, APP, 'nobody')).not.toThrow();
    expect(() => ipc.send(IPC.removeServer, APP, 'nobody')).not.toThrow();
    await vi.waitFor(() => expect(log.lines).toHaveLength(2));
    expect(log.lines.map((l) => [l.message, l.details.code])).toEqual([
      ['refused IPC', 'not_found'],
      ['refused IPC', 'not_found'],
    ]);
  });

  it('answers a request its handler refuses with the error’s code and message (Electron would pass the message only)', async () => {
    const ipc = new FakeIpcMain();
    const log = new RecordingLog();
    const routed = new IpcRouter(ipc, log);
    routed.handle(IPC.hostLocalServer, () => {
      throw new SwitchboardError('conflict', 'this account is on a server already: add a server first');
    });
    routed.handle(IPC.backupLocalServer, async () => {
      throw new Error('EACCES: permission denied');
    });
    expect(await ipc.send(IPC.hostLocalServer, APP)).toEqual({
      ok: false,
      code: 'conflict',
      message: 'this account is on a server already: add a server first',
    });
    expect(await ipc.send(IPC.backupLocalServer, APP)).toEqual({
      ok: false,
      code: 'internal',
      message: 'EACCES: permission denied',
    });
    expect(log.lines.map((l) => l.details.code)).toEqual(['conflict', 'internal']);
  });
});
