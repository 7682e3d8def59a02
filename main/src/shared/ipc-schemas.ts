// Schemas for what the preload sends to main. Everything from a renderer is untrusted input.
import { z } from 'zod';
import { IPC } from '@switchboard/protocol/desktop';
import { Username } from '@switchboard/protocol';

/** An account's id in the server list (servers.ts makes them). */
const AccountId = z.string().regex(/^[a-z0-9-]{1,64}$/);

export const IpcPayloads = {
  [IPC.appInfo]: z.tuple([]),
  [IPC.restartCore]: z.tuple([]),
  [IPC.openLogs]: z.tuple([]),
  [IPC.rendererError]: z.tuple([z.string().max(4096), z.string().max(16_384).optional()]),
  [IPC.network]: z.tuple([z.boolean()]),
  [IPC.desktopSettings]: z.tuple([]),
  [IPC.setStartAtLogin]: z.tuple([z.boolean()]),
  // Several servers.
  [IPC.servers]: z.tuple([]),
  [IPC.switchServer]: z.tuple([AccountId]),
  [IPC.addServer]: z.tuple([]),
  [IPC.removeServer]: z.tuple([AccountId]),
  // The server on this computer.
  [IPC.localServer]: z.tuple([]),
  [IPC.hostLocalServer]: z.tuple([]),
  [IPC.setLocalServerLan]: z.tuple([z.boolean()]),
  [IPC.localServerInvite]: z.tuple([Username]),
  [IPC.backupLocalServer]: z.tuple([]),
  [IPC.restoreLocalServer]: z.tuple([]),
} as const;

export type IpcChannel = keyof typeof IpcPayloads;
export type IpcArgs<C extends IpcChannel> = z.infer<(typeof IpcPayloads)[C]>;
