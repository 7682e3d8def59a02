// The channels the signed-in user is in, with their read state and unread and mention counts. The
// server's counts arrive with every sync and read change; between those, live changes keep the counts
// current here, counted the way the server counts them.
import {
  UNREAD_COUNT_CAP,
  type Channel,
  type ChannelSummary,
  type Message,
  type ReadState,
  type StreamEvent,
} from '@switchboard/protocol';
import { inChannelList } from '../display.ts';

/** What a change of a channel's details changes (not its head, nor anyone's read state). */
const detailsOf = (c: Channel) => ({
  name: c.name,
  displayName: c.displayName,
  topic: c.topic,
  purpose: c.purpose,
  archivedAt: c.archivedAt,
  changeSeq: c.changeSeq,
});

export interface ChannelsHost {
  /** The list or a channel in it changed: tell the UI and save. */
  changed(): void;
  /** The user is no longer in the channel: its messages go too. */
  forgotten(channelId: string): void;
}

export class Channels {
  private channels = new Map<string, ChannelSummary>();
  /** When each channel last changed here, counted in `changes`. */
  private readonly stamps = new Map<string, number>();
  private changes = 0;

  constructor(private readonly host: ChannelsHost) {}

  /** The saved list of a session that starts (no change is told). */
  load(channels: readonly ChannelSummary[]): void {
    this.channels = new Map(channels.map((c) => [c.id, c]));
  }

  clear(): void {
    this.channels.clear();
    this.stamps.clear();
  }

  has(channelId: string): boolean {
    return this.channels.has(channelId);
  }

  get(channelId: string): ChannelSummary | undefined {
    return this.channels.get(channelId);
  }

  /** By name. */
  list(): ChannelSummary[] {
    return [...this.channels.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  upsert(summary: ChannelSummary): ChannelSummary {
    this.channels.set(summary.id, summary);
    this.stamps.set(summary.id, ++this.changes);
    this.host.changed();
    return summary;
  }

  forget(channelId: string): void {
    this.channels.delete(channelId);
    this.stamps.set(channelId, ++this.changes);
    this.host.forgotten(channelId);
    this.host.changed();
  }

  applyReadState(state: ReadState): void {
    const channel = this.channels.get(state.channelId);
    if (!channel) return;
    this.upsert({
      ...channel,
      readSeq: state.readSeq,
      unreadCount: state.unreadCount,
      unreadCapped: state.unreadCapped ?? false,
      mentionCount: state.mentionCount,
    });
  }

  /**
   * The channel's details as of a change of them (live, in catch-up, or our own update's answer),
   * unless what is here is newer.
   */
  applyDetails(channel: Channel): void {
    const known = this.channels.get(channel.id);
    if (!known || known.changeSeq >= channel.changeSeq) return;
    this.upsert({ ...known, ...detailsOf(channel), headSeq: Math.max(known.headSeq, channel.headSeq) });
  }

  /**
   * Keeps unread and mention counts current between syncs, which bring the server's counts. Like the
   * server, the unread count stops at UNREAD_COUNT_CAP and then says `unreadCapped` ("999+"); a capped
   * count stays capped until the server counts again, since how far past the cap it was is unknown.
   * `before` is the copy of the message shown until now (a deleted copy has no mentions left).
   * Thread replies not sent to the channel count in their thread, not here.
   */
  countChange(event: StreamEvent, me: string, before: Message | undefined): void {
    const channel = this.channels.get(event.channelId);
    if (!channel || event.seq <= channel.headSeq) return;
    const next = { ...channel, headSeq: event.seq };
    if (event.kind === 'channel') return void this.upsert({ ...next, ...detailsOf(event.channel) });
    const m = event.message;
    if (!inChannelList(m)) return void this.upsert(next);
    if (event.kind === 'created' && m.authorId === me) {
      // The server counts writing in a channel as having read it.
      Object.assign(next, { readSeq: m.seq, unreadCount: 0, unreadCapped: false, mentionCount: 0 });
    } else if (m.authorId !== me && m.seq > channel.readSeq) {
      if (event.kind === 'created') {
        if (next.unreadCount >= UNREAD_COUNT_CAP) next.unreadCapped = true;
        next.unreadCount = Math.min(next.unreadCount + 1, UNREAD_COUNT_CAP);
        if (m.mentions.includes(me)) next.mentionCount += 1;
      } else if (event.kind === 'deleted') {
        if (!next.unreadCapped) next.unreadCount = Math.max(0, next.unreadCount - 1);
        if (before?.mentions.includes(me)) next.mentionCount = Math.max(0, next.mentionCount - 1);
      }
    }
    this.upsert(next);
  }

  /** A mark to hand to `synced` with the list a request brings, taken before the request. */
  mark(): number {
    return this.changes;
  }

  /** Takes the server's list, except for channels changed here since `mark` (those are newer). */
  synced(channels: readonly ChannelSummary[], mark: number): void {
    const changedSince = (id: string) => (this.stamps.get(id) ?? 0) > mark;
    const merged = new Map<string, ChannelSummary>();
    for (const c of channels) {
      const local = changedSince(c.id) ? this.channels.get(c.id) : c;
      if (local) merged.set(c.id, local);
    }
    for (const [id, local] of this.channels) if (!merged.has(id) && changedSince(id)) merged.set(id, local);
    this.channels = merged;
    this.host.changed();
  }
}
