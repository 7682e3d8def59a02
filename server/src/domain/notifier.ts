// How the domain tells connected clients about committed changes, without knowing the transport.
// The realtime layer implements it with Socket.IO rooms; tests and CLI use `silentNotifier`.
import type { ServerToClientEvents } from '@switchboard/protocol';

export type EventName = keyof ServerToClientEvents;
export type EventArgs<E extends EventName> = Parameters<ServerToClientEvents[E]>;

export interface Notifier {
  toChannel<E extends EventName>(channelId: string, event: E, ...args: EventArgs<E>): void;
  toUser<E extends EventName>(userId: string, event: E, ...args: EventArgs<E>): void;
  /** Every live connection (changes to someone's account, which every client shows). */
  toEveryone<E extends EventName>(event: E, ...args: EventArgs<E>): void;
  /** Subscribe or unsubscribe every live connection of a user to a channel's events. */
  subscribe(userId: string, channelId: string): void;
  unsubscribe(userId: string, channelId: string): void;
  /** Every live connection of a user starts or stops hearing a topic's new messages. */
  followTopic(userId: string, topic: string): void;
  unfollowTopic(userId: string, topic: string): void;
  /** These tokens stopped working (revoked, owner deactivated): drop the live connections using them. */
  tokensRevoked(tokenIds: readonly string[]): void;
}

export const silentNotifier: Notifier = {
  toChannel() {},
  toUser() {},
  toEveryone() {},
  subscribe() {},
  unsubscribe() {},
  followTopic() {},
  unfollowTopic() {},
  tokensRevoked() {},
};
