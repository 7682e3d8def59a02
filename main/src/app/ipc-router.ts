// Every IPC handler goes through here: the sender frame must be the app's own page and the payload
// must match its channel's schema, or the message is refused (logged, nothing done). A request's
// refusal, and its handler's error, are answered as values with their code (IpcAnswer): Electron
// would pass the page only a thrown error's message.
import type { z } from 'zod';
import { isErrorCode, SwitchboardError } from '@switchboard/protocol';
import type { IpcAnswer } from '@switchboard/protocol/desktop';
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

/** A handler's result as an answer: its value, or its error's code (`internal` when it has none) and message. */
export async function answerOf<R>(run: () => R | Promise<R>): Promise<IpcAnswer<R>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    return {
      ok: false,
      code: isErrorCode(code) ? code : 'internal',
      message: typeof message === 'string' ? message : String(err),
    };
  }
}

export class IpcRouter {
  constructor(
    private readonly ipc: IpcMainLike,
    private readonly log: Log,
  ) {}

  /** A one-way message from the page; what the handler refuses (throws or rejects) is logged, not raised. */
  on<C extends IpcChannel>(
    channel: C,
    handler: (args: IpcArgs<C>, event: IpcEventLike) => void | Promise<void>,
  ): void {
    this.ipc.on(channel, (event, ...args) => {
      const checked = this.check(channel, event, args);
      if (checked instanceof SwitchboardError) return;
      void answerOf(() => handler(checked, event)).then((answer) => {
        if (!answer.ok) this.log.warn({ channel, code: answer.code, error: answer.message }, 'refused IPC');
      });
    });
  }

  /** A request from the page (ipcRenderer.invoke), answered with an IpcAnswer. */
  handle<C extends IpcChannel, R>(channel: C, handler: (args: IpcArgs<C>) => R | Promise<R>): void {
    this.ipc.handle(channel, async (event, ...args): Promise<IpcAnswer<R>> => {
      const checked = this.check(channel, event, args);
      if (checked instanceof SwitchboardError)
        return { ok: false, code: checked.code, message: checked.message };
      const answer = await answerOf(() => handler(checked));
      if (!answer.ok) this.log.warn({ channel, code: answer.code, error: answer.message }, 'refused IPC');
      return answer;
    });
  }

  /** The checked arguments, or why they are refused (logged). */
  private check<C extends IpcChannel>(
    channel: C,
    event: IpcEventLike,
    args: unknown[],
  ): IpcArgs<C> | SwitchboardError {
    if (!isTrustedSender(event.senderFrame)) {
      this.log.warn(
        { channel, code: 'forbidden', sender: event.senderFrame?.url ?? null },
        'refused IPC from a frame that is not the app',
      );
      return new SwitchboardError('forbidden', `${channel} is answered only for the app's own page`);
    }
    const parsed = (IpcPayloads[channel] as unknown as z.ZodType<IpcArgs<C>>).safeParse(args);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error.issues);
      this.log.warn({ channel, code: 'validation_failed', issues }, 'refused malformed IPC');
      return new SwitchboardError('validation_failed', `${channel}: ${issues}`);
    }
    return parsed.data;
  }
}
