import { IPC, type DesktopBridge, type IpcAnswer } from '@switchboard/protocol/desktop';
import { describe, expect, it } from 'vitest';
import { installBridge, type IpcRendererLike } from './bridge.ts';

/** ipcRenderer whose invoke resolves with what main's IpcRouter answers for the channel. */
function bridgeWith(answers: Record<string, IpcAnswer<unknown>>): DesktopBridge {
  const ipc: IpcRendererLike = {
    on: () => {},
    send: () => {},
    invoke: async (channel) => answers[channel],
  };
  let exposed: DesktopBridge | null = null;
  const listeners = { addEventListener: () => {} };
  installBridge({
    ipc,
    expose: (_key, api) => (exposed = api),
    window: {
      ...listeners,
      document: { readyState: 'complete', ...listeners },
      navigator: { onLine: true },
      location: { origin: 'app://switchboard' },
      postMessage: () => {},
    } as unknown as Window,
    platform: 'linux',
  });
  return exposed!;
}

describe('the preload’s requests to main', () => {
  it('resolve with the value main answers', async () => {
    const bridge = bridgeWith({ [IPC.backupLocalServer]: { ok: true, value: '/backups/a.db' } });
    expect(await bridge.backupLocalServer()).toBe('/backups/a.db');
  });

  it('reject with the code and message of a refusal, for the page to say what went wrong', async () => {
    const bridge = bridgeWith({
      [IPC.hostLocalServer]: { ok: false, code: 'conflict', message: 'this account is on a server already' },
    });
    await expect(bridge.hostLocalServer()).rejects.toEqual({
      code: 'conflict',
      message: 'this account is on a server already',
    });
  });
});
