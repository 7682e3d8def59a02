// Turns new messages into `notification` events, by the rules of notify/rules.ts. Live messages are
// decided one by one. While the core catches up (after a connect, a gap, a restart) nothing is shown
// as it arrives: what came in is gathered per conversation, and when catch-up is done each
// conversation gets at most one notification — the message itself when it is one, else a summary
// ("12 new messages in #ops"), counted from the server's unread counts where history was not loaded.
// Each message is considered once: a conversation remembers the highest seq it has looked at.
import type {
  ChannelSummary,
  FollowedTopic,
  Message,
  Preferences,
  StreamEvent,
  TopicMessage,
} from '@switchboard/protocol';
import { topicKey, type SessionNotification } from '../contract.ts';
import { clip, preview } from '../notify/preview.ts';
import {
  decide,
  decideTopic,
  TOPIC_PRIORITY,
  matchesKeyword,
  NOTHING_ON_SCREEN,
  NOTIFY_DEFAULTS,
  type Candidate,
  type Decision,
  type OnScreen,
} from '../notify/rules.ts';

/** Messages kept per conversation while catching up; beyond it the server's counts tell how many. */
const MAX_GATHERED = 1_000;

export interface NotificationsHost {
  /** The signed-in user's id. */
  me(): string | null;
  channel(channelId: string): ChannelSummary | undefined;
  channels(): readonly ChannelSummary[];
  /** A user's display name, if known. */
  userName(userId: string): string | null;
  preferences(): Preferences;
  now(): number;
  show(notification: SessionNotification): void;
  cleared(channelId: string): void;
}

interface Gathered {
  /** By seq: each message once, however often it arrived (live and in a catch-up page). */
  messages: Map<number, Message>;
}

interface CatchUp {
  /** Unread and mention counts when the catch-up began, to count what was not loaded. */
  before: Map<string, { unread: number; mentions: number }>;
  gathered: Map<string, Gathered>;
}

export class Notifications {
  /** Per conversation, the highest seq looked at: nothing at or below it notifies again. */
  private readonly floors = new Map<string, number>();
  /** Conversations with a notification out, and the seq it was for. */
  private readonly shown = new Map<string, number>();
  /** Followed topics with a notification out, and the newest seq it was for. */
  private readonly shownTopics = new Map<string, number>();
  private catchUp: CatchUp | null = null;
  /**
   * Whether this device has seen the account's conversations before. The first sync after signing
   * in on a device brings old unread counts, which are not news.
   */
  private baseline = false;
  private ui: OnScreen = NOTHING_ON_SCREEN;
  /** The platform's own view of its window (desktop main); the browser leaves it true. */
  private windowFocused = true;

  constructor(private readonly host: NotificationsHost) {}

  /** The saved channels of a session that starts: what was there then is not news. */
  load(channels: readonly ChannelSummary[]): void {
    this.clear();
    for (const channel of channels) this.floors.set(channel.id, channel.headSeq);
    this.baseline = channels.length > 0;
  }

  clear(): void {
    this.floors.clear();
    this.shown.clear();
    this.shownTopics.clear();
    this.catchUp = null;
    this.baseline = false;
  }

  /** A conversation the user joined (or was given): messages up to its head are not news. */
  joined(channel: ChannelSummary): void {
    if (!this.floors.has(channel.id)) this.floors.set(channel.id, channel.headSeq);
  }

  /** What a UI has on screen; the one that spoke last is in front. */
  setFocus(onScreen: OnScreen): void {
    this.ui = onScreen;
  }

  /** The platform says whether any of its windows has the focus (desktop main). */
  setWindowFocused(focused: boolean): void {
    this.windowFocused = focused;
  }

  /** A live change to a stream. */
  live(event: StreamEvent): void {
    if (event.kind !== 'created') return;
    const message = event.message;
    const floor = this.floors.get(message.channelId) ?? 0;
    if (message.seq <= floor) return;
    if (this.catchUp) return this.gather(message);
    this.floors.set(message.channelId, message.seq);
    this.consider(message);
  }

  /** Messages a catch-up page brought (or a channel's newest page, loaded after a reset). */
  caughtUp(messages: readonly Message[]): void {
    for (const message of messages)
      if (message.seq > (this.floors.get(message.channelId) ?? 0)) this.gather(message);
  }

  /** A catch-up began: from now until it ends, new messages are gathered, not shown. */
  catchUpStarted(): void {
    if (this.catchUp) return;
    const before = new Map(
      this.host.channels().map((c) => [c.id, { unread: c.unreadCount, mentions: c.mentionCount }]),
    );
    this.catchUp = { before, gathered: new Map() };
  }

  /** Caught up: at most one notification per conversation for everything gathered. */
  catchUpFinished(): void {
    const catchUp = this.catchUp;
    if (!catchUp) return;
    this.catchUp = null;
    for (const channel of this.host.channels()) {
      const gathered = catchUp.gathered.get(channel.id);
      this.summarize(channel, gathered, catchUp.before.get(channel.id));
      const seen = Math.max(channel.headSeq, ...(gathered ? gathered.messages.keys() : []));
      this.floors.set(channel.id, Math.max(this.floors.get(channel.id) ?? 0, seen));
    }
    this.baseline = true;
  }

  /** Read positions moved (here or on another device): notifications for what is now read go. */
  readStateChanged(): void {
    for (const [channelId, seq] of this.shown) {
      const channel = this.host.channel(channelId);
      if (channel && channel.readSeq < seq) continue;
      this.shown.delete(channelId);
      this.host.cleared(channelId);
    }
  }

  /**
   * New messages of a followed topic that the user has not read: a live one, or all a catch-up
   * brought (session/topics.ts gives each message once). At most one notification per topic: the
   * message itself, or a summary of several, as urgent as the most urgent of them.
   */
  topicMessages(
    { topic, readSeq, muted }: Pick<FollowedTopic, 'topic' | 'readSeq' | 'muted'>,
    messages: readonly TopicMessage[],
  ): void {
    const fresh = messages.filter((m) => m.seq > readSeq);
    const first = fresh[0];
    const last = fresh.at(-1);
    if (!first || !last) return;
    const priority = Math.max(...fresh.map((m) => m.priority ?? TOPIC_PRIORITY.default));
    const decision = decideTopic(
      { topic, priority, read: false, muted },
      this.host.preferences(),
      this.host.now(),
      this.onScreen(),
    );
    if (!decision.notify) return;
    const single = fresh.length === 1 ? first : null;
    const hidden = this.previewsHidden();
    const key = topicKey(topic);
    this.shownTopics.set(topic, last.seq);
    this.host.show({
      id: single ? single.id : `${key}:summary:${last.seq}`,
      channelId: key,
      conversation: single?.title ?? topic,
      reason: decision.reason,
      messageId: first.id,
      seq: first.seq,
      lastSeq: last.seq,
      author: null,
      preview:
        hidden || !single ? null : single.markdown ? preview(single.message) : clip(oneLine(single.message)),
      hidden,
      summary: !single,
      count: fresh.length,
      silent: decision.silent,
      ts: last.createdAt,
      topic: { name: topic, priority, click: single?.click ?? null, tags: single?.tags ?? [] },
    });
  }

  /** A followed topic was read up to `readSeq` (here or on another device): its notification goes. */
  topicRead(topic: string, readSeq: number): void {
    const seq = this.shownTopics.get(topic);
    if (seq === undefined || seq > readSeq) return;
    this.shownTopics.delete(topic);
    this.host.cleared(topicKey(topic));
  }

  private onScreen(): OnScreen {
    return {
      channelId: this.ui.channelId,
      topic: this.ui.topic ?? null,
      focused: this.ui.focused && this.windowFocused,
    };
  }

  private gather(message: Message): void {
    const catchUp = this.catchUp!;
    let gathered = catchUp.gathered.get(message.channelId);
    if (!gathered) catchUp.gathered.set(message.channelId, (gathered = { messages: new Map() }));
    if (gathered.messages.size < MAX_GATHERED) gathered.messages.set(message.seq, message);
  }

  /** One live message. */
  private consider(message: Message): void {
    const channel = this.host.channel(message.channelId);
    if (!channel) return;
    const decision = this.decide(this.candidate(channel, [message]));
    if (decision.notify) this.showMessage(channel, message, decision);
  }

  private summarize(
    channel: ChannelSummary,
    gathered: Gathered | undefined,
    before: { unread: number; mentions: number } | undefined,
  ): void {
    const me = this.host.me();
    const fresh = [...(gathered?.messages.values() ?? [])]
      .filter((m) => m.authorId !== me && m.deletedAt === null && m.seq > channel.readSeq)
      .sort((a, b) => a.seq - b.seq);
    // Counts only compare with what this device knew: a conversation new to it counts from zero,
    // unless this is the device's first look at the account.
    const known = before ?? (this.baseline ? { unread: 0, mentions: 0 } : null);
    const unreadDelta = known ? Math.max(0, channel.unreadCount - known.unread) : 0;
    const mentionDelta = known ? Math.max(0, channel.mentionCount - known.mentions) : 0;
    const count = Math.max(fresh.length, unreadDelta);
    if (count === 0) return;
    const candidate = this.candidate(channel, fresh);
    candidate.mentioned ||= mentionDelta > 0;
    const decision = this.decide(candidate);
    if (!decision.notify) return;
    if (count === 1 && fresh.length === 1) return this.showMessage(channel, fresh[0]!, decision);
    const first = fresh[0];
    this.emit(channel, {
      id: `${channel.id}:summary:${channel.headSeq}`,
      reason: decision.reason,
      messageId: first?.id ?? null,
      seq: first?.seq ?? channel.readSeq + 1,
      lastSeq: channel.headSeq,
      author: null,
      preview: null,
      hidden: this.previewsHidden(),
      summary: true,
      count,
      silent: decision.silent,
      ts: this.host.now(),
    });
  }

  /** The facts the rules look at, over one message or a conversation's gathered ones. */
  private candidate(channel: ChannelSummary, messages: readonly Message[]): Candidate {
    const me = this.host.me();
    const keywords = this.host.preferences().keywords;
    return {
      channelId: channel.id,
      direct: channel.kind === 'direct',
      own: messages.length > 0 && messages.every((m) => m.authorId === me),
      read: messages.length > 0 && messages.every((m) => m.seq <= channel.readSeq),
      mentioned: me !== null && messages.some((m) => m.mentions.includes(me)),
      keyword: messages.some((m) => matchesKeyword(m.text, keywords)),
    };
  }

  private decide(candidate: Candidate): Decision {
    return decide(candidate, this.host.preferences(), this.host.now(), this.onScreen());
  }

  private showMessage(
    channel: ChannelSummary,
    message: Message,
    decision: Extract<Decision, { notify: true }>,
  ): void {
    const hidden = this.previewsHidden();
    this.emit(channel, {
      id: message.id,
      reason: decision.reason,
      messageId: message.id,
      seq: message.seq,
      lastSeq: message.seq,
      author: { id: message.authorId, name: this.host.userName(message.authorId) ?? 'Someone' },
      preview: hidden ? null : preview(message.text),
      hidden,
      summary: false,
      count: 1,
      silent: decision.silent,
      ts: message.ts,
    });
  }

  private previewsHidden(): boolean {
    return !(this.host.preferences().notifyPreview ?? NOTIFY_DEFAULTS.notifyPreview);
  }

  /** Once `lastSeq` is read, it is taken away. */
  private emit(
    channel: ChannelSummary,
    notification: Omit<SessionNotification, 'channelId' | 'conversation'>,
  ): void {
    this.shown.set(channel.id, notification.lastSeq);
    this.host.show({ ...notification, channelId: channel.id, conversation: this.label(channel) });
  }

  /** `#name`, or the other person's name in a direct conversation. */
  private label(channel: ChannelSummary): string {
    if (channel.kind !== 'direct') return `#${channel.name}`;
    const me = this.host.me();
    const other = channel.memberIds?.find((id) => id !== me) ?? me;
    return (other && this.host.userName(other)) ?? channel.name;
  }
}

/** Plain text on one line. */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();
