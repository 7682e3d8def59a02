// The app's badge from the core's totals, as each OS shows one: the dock's text on macOS (the count
// of messages for the person — mentions and direct messages —, or a dot for unread ones), an overlay
// on the taskbar button on Windows, and a launcher count on Linux desktops that support it.
import type { Attention } from './tray.ts';

export interface Badge {
  /** macOS dock text: a count, "•", or "" for none. */
  text: string;
  /** Linux launcher count (0 clears it). */
  count: number;
  /** Windows overlay image, or null for none; and what a screen reader says for it. */
  overlay: 'overlay-mention.png' | 'overlay-unread.png' | null;
  description: string;
}

export function badgeFor({ unread, mentions }: Attention): Badge {
  if (mentions > 0)
    return {
      text: mentions > 99 ? '99+' : String(mentions),
      count: mentions,
      overlay: 'overlay-mention.png',
      description: `${mentions} ${mentions === 1 ? 'message' : 'messages'} for you`,
    };
  if (unread > 0)
    return { text: '•', count: 0, overlay: 'overlay-unread.png', description: `${unread} unread` };
  return { text: '', count: 0, overlay: null, description: '' };
}

/** Where a badge goes, per OS (app.dock.setBadge, win.setOverlayIcon, app.setBadgeCount). */
export interface BadgeTarget {
  setDockBadge(text: string): void;
  setOverlayIcon(image: string | null, description: string): void;
  setBadgeCount(count: number): boolean;
}

export class BadgeController {
  private last: Badge | null = null;

  constructor(
    private readonly platform: NodeJS.Platform,
    private readonly target: BadgeTarget,
  ) {}

  update(attention: Attention): void {
    const badge = badgeFor(attention);
    const last = this.last;
    this.last = badge;
    if (this.platform === 'darwin') {
      if (badge.text !== last?.text) this.target.setDockBadge(badge.text);
    } else if (this.platform === 'win32') {
      if (badge.overlay !== last?.overlay || badge.description !== last?.description)
        this.target.setOverlayIcon(badge.overlay, badge.description);
    } else if (badge.count !== last?.count) this.target.setBadgeCount(badge.count);
  }
}
