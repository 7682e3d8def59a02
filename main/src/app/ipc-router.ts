// Every IPC handler goes through here: the sender frame must be the app's own page and the payload
// must match its channel's schema, or the message is refused (logged, nothing done).
import type { z } from 'zod';
import { IpcPayloads, type IpcArgs, type IpcChannel } from '../shared/ipc-schemas.ts';
import { describeIssues, type Log } from '../shared/log.ts';
import { isTrustedSender } from './security.ts';

/** What ipcMain hands a handler, as far as the checks go (IpcMainEvent / IpcMainInvokeEvent). */
export interface IpcEventLike {
  senderFrame: { url: string } | null;
}

/** The parts of Electron's ipcMain used here. */
export interface IpcMainLike {
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
}

export class IpcRouter {
  constructor(
    private readonly ipc: IpcMainLike,
    private readonly log: Log,
  ) {}

  /** A one-way message from the page; what the handler refuses (it throws) is logged, not raised. */
  on<C extends IpcChannel>(channel: C, handler: (args: IpcArgs<C>, event: IpcEventLike) => void): void {
    this.ipc.on(channel, (event, ...args) => {
      const checked = this.check(channel, event, args);
      if (!checked) return;
      try {
        handler(checked, event);
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'internal';
        this.log.warn({ channel, code, error: (err as Error).message }, 'refused IPC');
      }
    });
  }

  /** A request from the page (ipcRenderer.invoke); refused ones reject. */
  handle<C extends IpcChannel, R>(channel: C, handler: (args: IpcArgs<C>) => R | Promise<R>): void {
    this.ipc.handle(channel, async (event, ...args) => {
      const checked = this.check(channel, event, args);
      if (!checked) throw new Error(`refused ${channel}`);
      return handler(checked);
    });
  }

  private check<C extends IpcChannel>(channel: C, event: IpcEventLike, args: unknown[]): IpcArgs<C> | null {
    if (!isTrustedSender(event.senderFrame)) {
      this.log.warn(
        { channel, code: 'forbidden', sender: event.senderFrame?.url ?? null },
        'refused IPC from a frame that is not the app',
      );
      return null;
    }
    const parsed = (IpcPayloads[channel] as unknown as z.ZodType<IpcArgs<C>>).safeParse(args);
    if (!parsed.success) {
      this.log.warn(
        { channel, code: 'validation_failed', issues: describeIssues(parsed.error.issues) },
        'refused malformed IPC',
      );
      return null;
    }
    return parsed.data;
  }
}
