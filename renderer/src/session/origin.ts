// Where the UI finds its server. Served by a server (the web client), it is that server's origin;
// inside the desktop app (a preload hands in the session port) the person chooses one.
export function servingOrigin(): string | null {
  if (window.switchboard) return null;
  return /^https?:$/.test(location.protocol) ? location.origin : null;
}
