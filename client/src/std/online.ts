// Waiting for a session to come online: for scripts, the CLI and tests, which act only once connected.
import { SwitchboardError } from '@switchboard/protocol';
import type { ConnectionState, SessionApi } from './contract.ts';

/** Resolves once the session is online; fails if it is signed out, incompatible, or slower than `timeoutMs`. */
export function whenOnline(session: SessionApi, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (error?: SwitchboardError) => {
      clearTimeout(timer);
      off();
      if (error) reject(error);
      else resolve();
    };
    const check = (state: ConnectionState) => {
      if (state.status === 'online') finish();
      else if (state.status === 'signed-out')
        finish(new SwitchboardError('unauthorized', 'the session is signed out'));
      else if (state.status === 'incompatible')
        finish(new SwitchboardError('unsupported_version', state.reason));
    };
    const timer = setTimeout(
      () => finish(new SwitchboardError('unavailable', `not online after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const off = session.on('connection', check);
    session.request('getSnapshot', {}).then((snapshot) => check(snapshot.connection), finish);
  });
}
