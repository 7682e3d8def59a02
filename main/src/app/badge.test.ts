import { describe, expect, it } from 'vitest';
import { badgeFor, BadgeController, type BadgeTarget } from './badge.ts';

function target() {
  const calls: unknown[][] = [];
  const t: BadgeTarget = {
    setDockBadge: (text) => void calls.push(['dock', text]),
    setOverlayIcon: (image, description) => void calls.push(['overlay', image, description]),
    setBadgeCount: (count) => (calls.push(['count', count]), true),
  };
  return { t, calls };
}

describe('badges', () => {
  it.each([
    [
      { unread: 0, mentions: 0 },
      { text: '', count: 0, overlay: null },
    ],
    [
      { unread: 7, mentions: 0 },
      { text: '•', count: 0, overlay: 'overlay-unread.png' },
    ],
    [
      { unread: 7, mentions: 2 },
      { text: '2', count: 2, overlay: 'overlay-mention.png' },
    ],
    [
      { unread: 700, mentions: 150 },
      { text: '99+', count: 150, overlay: 'overlay-mention.png' },
    ],
  ])('%j → %j', (counts, badge) => {
    expect(badgeFor({ ...counts, dnd: null })).toMatchObject(badge);
  });

  it('macOS: the dock badge, set only when it changes', () => {
    const { t, calls } = target();
    const badge = new BadgeController('darwin', t);
    badge.update({ unread: 3, mentions: 0, dnd: null });
    badge.update({ unread: 4, mentions: 0, dnd: null });
    badge.update({ unread: 4, mentions: 1, dnd: null });
    badge.update({ unread: 0, mentions: 0, dnd: null });
    expect(calls).toEqual([
      ['dock', '•'],
      ['dock', '1'],
      ['dock', ''],
    ]);
  });

  it('Windows: an overlay on the taskbar button, with what it means for screen readers', () => {
    const { t, calls } = target();
    const badge = new BadgeController('win32', t);
    badge.update({ unread: 3, mentions: 2, dnd: null });
    badge.update({ unread: 0, mentions: 0, dnd: null });
    expect(calls).toEqual([
      ['overlay', 'overlay-mention.png', '2 messages for you'],
      ['overlay', null, ''],
    ]);
  });

  it('Linux: the launcher count of messages for the person', () => {
    const { t, calls } = target();
    const badge = new BadgeController('linux', t);
    badge.update({ unread: 3, mentions: 0, dnd: null });
    badge.update({ unread: 3, mentions: 2, dnd: null });
    badge.update({ unread: 0, mentions: 0, dnd: null });
    expect(calls).toEqual([
      ['count', 0],
      ['count', 2],
      ['count', 0],
    ]);
  });
});
