// What a switchboard:// link (parsed and checked by main) does in the window: `open` shows that
// conversation (the workspace follows the #/c/<id> address), `topic` a followed topic (#/t/<name>), `join` opens registration with the
// invite on that server. Links never sign anyone out: a link for another server while signed in
// is reported and left alone.
import type { DeepLinkTarget } from '@switchboard/protocol/desktop';
import type { SessionClient } from './types.ts';

const sameServer = (a: string | null, b: string): boolean => {
  if (!a) return false;
  const key = (url: string) => {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  };
  return key(a) === key(b);
};

export async function followDeepLink(
  target: DeepLinkTarget,
  session: SessionClient,
  refuse: (reason: string) => void,
): Promise<void> {
  const { serverUrl, user } = await session.request('getSnapshot', {});
  const here = sameServer(serverUrl, target.server);
  if (user && !here) return refuse(`the link is for ${target.server}, and you are signed in to ${serverUrl}`);
  if (!here) await session.request('setServer', { serverUrl: target.server });
  if (target.action === 'topic') {
    location.hash = `#/t/${encodeURIComponent(target.topic)}`;
  } else if (target.action === 'open') {
    // Signed out, the server is now chosen; the conversation opens from the link once signed in.
    const at = target.message ? `/m/${encodeURIComponent(target.message)}` : '';
    location.hash = `#/c/${encodeURIComponent(target.channel)}${at}`;
  } else if (!user) {
    location.replace(`/?invite=${encodeURIComponent(target.invite)}#`);
  } else refuse('you already have an account on this server');
}
