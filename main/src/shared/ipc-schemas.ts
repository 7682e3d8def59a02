// Schemas for what the preload sends to main. Everything from a renderer is untrusted input.
import { z } from 'zod';
import { IPC } from '@switchboard/protocol/desktop';

export const IpcPayloads = {
  [IPC.appInfo]: z.tuple([]),
  [IPC.restartCore]: z.tuple([]),
  [IPC.openLogs]: z.tuple([]),
  [IPC.rendererError]: z.tuple([z.string().max(4096), z.string().max(16_384).optional()]),
  [IPC.network]: z.tuple([z.boolean()]),
  [IPC.desktopSettings]: z.tuple([]),
  [IPC.setStartAtLogin]: z.tuple([z.boolean()]),
} as const;

export type IpcChannel = keyof typeof IpcPayloads;
export type IpcArgs<C extends IpcChannel> = z.infer<(typeof IpcPayloads)[C]>;
