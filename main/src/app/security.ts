// Electron's security checklist, as decisions main applies to every web contents: the UI comes only
// from app://switchboard; navigation away and new windows are denied (http/https/mailto links open
// in the person's browser or mail app instead); no <webview>; every permission is refused but
// notifications for the app itself; IPC is answered only when it comes from the app's own frame.

export const APP_SCHEME = 'app';
export const APP_HOST = 'switchboard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** Whether `url` is a page of the app itself. (Node's URL gives custom schemes no origin.) */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Links the app hands to the OS: web pages and mail, nothing that runs or reads local things. */
export function isExternalAllowed(url: string): boolean {
  try {
    return ['http:', 'https:', 'mailto:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** The parts of WebContents the rules attach to. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: { url: string; preventDefault(): void }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export function guardContents(contents: GuardedContents, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    if (isExternalAllowed(event.url)) openExternal(event.url);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalAllowed(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/** session.setPermissionRequestHandler: notifications for the app's own page, nothing else. */
export function decidePermissionRequest(permission: string, requestingUrl: string | undefined): boolean {
  return permission === 'notifications' && requestingUrl !== undefined && isAppUrl(requestingUrl);
}

/** session.setPermissionCheckHandler: the same rule, asked with an origin. */
export function decidePermissionCheck(permission: string, requestingOrigin: string): boolean {
  return permission === 'notifications' && requestingOrigin === APP_ORIGIN;
}

/** An IPC message's sender frame must be the app's own page (not a frame it embeds, not elsewhere). */
export function isTrustedSender(frame: { url: string } | null | undefined): boolean {
  return frame !== null && frame !== undefined && isAppUrl(frame.url);
}
