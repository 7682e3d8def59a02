// One app at a time: a second launch hands its deep link (if any) to the first and quits; the
// first comes to the front. macOS delivers links to the running app as `open-url` instead.
import { deepLinkIn } from './deep-links.ts';

/** The parts of Electron's app used here. */
export interface InstanceApp {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(
    event: 'second-instance',
    listener: (event: unknown, argv: string[], workingDirectory: string) => void,
  ): unknown;
  on(event: 'open-url', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
}

/** Returns false when another instance has the lock (this one is quitting). */
export function claimSingleInstance(
  app: InstanceApp,
  handlers: { focus(): void; openLink(url: string): void },
): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', (_event, argv) => {
    handlers.focus();
    const link = deepLinkIn(argv);
    if (link) handlers.openLink(link);
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    handlers.focus();
    handlers.openLink(url);
  });
  return true;
}
