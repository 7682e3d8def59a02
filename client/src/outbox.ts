// Messages the user sent that the server has not acknowledged yet, persisted before `send` returns
// so they survive a crash or restart. Each keeps the clientId it was given: however often it is
// retried, the server stores it once (ARCHITECTURE.md §3). Entries go out one at a time in the
// order they were queued, which keeps a conversation's order.
import { z } from 'zod';
import { SwitchboardError, type ErrorBody, type SendAck } from '@switchboard/protocol';
import { backoffDelay, systemClock, type Clock } from './connection.ts';
import { asSwitchboardError, isRetryable } from './errors.ts';
import type { KeyValueStorage } from './storage.ts';

const OutboxEntryShape = z.object({
  clientId: z.string().min(1).max(64),
  channelId: z.string().min(1).max(64),
  text: z.string(),
  queuedAt: z.number(),
  state: z.enum(['pending', 'failed']),
  failure: z.object({ code: z.string(), message: z.string() }).loose().optional(),
});

export interface OutboxEntry {
  clientId: string;
  channelId: string;
  text: string;
  queuedAt: number;
  state: 'pending' | 'failed';
  failure?: ErrorBody;
}

export interface OutboxHooks {
  /** The server acknowledged the entry; it has left the outbox. */
  delivered(entry: OutboxEntry, ack: SendAck): void;
  /** The entry failed for good, or is pending again after retrySend. */
  changed(entry: OutboxEntry): void;
}

/** Sends one entry; throws a SwitchboardError when the server (or the connection) says no. */
export type SendEntry = (entry: OutboxEntry) => Promise<SendAck>;

export class Outbox {
  private send: SendEntry | null = null;
  /** After close nothing is written: a sign-out may be wiping this account's storage. */
  private closed = false;
  private draining = false;
  private inFlight: string | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly storage: KeyValueStorage,
    private readonly key: string,
    private readonly hooks: OutboxHooks,
    private readonly clock: Clock,
    private entries: OutboxEntry[],
  ) {}

  static async open(
    storage: KeyValueStorage,
    key: string,
    hooks: OutboxHooks,
    clock: Clock = systemClock,
  ): Promise<Outbox> {
    const stored = await storage.get(key);
    const entries = Array.isArray(stored)
      ? stored.flatMap((item) => {
          const parsed = OutboxEntryShape.safeParse(item);
          return parsed.success ? [parsed.data as OutboxEntry] : [];
        })
      : [];
    return new Outbox(storage, key, hooks, clock, entries);
  }

  list(channelId?: string): OutboxEntry[] {
    return channelId === undefined
      ? [...this.entries]
      : this.entries.filter((e) => e.channelId === channelId);
  }

  has(clientId: string): boolean {
    return this.entries.some((e) => e.clientId === clientId);
  }

  /** Queues a message; resolves once it is persisted. */
  async add(entry: Omit<OutboxEntry, 'state'>): Promise<OutboxEntry> {
    const queued: OutboxEntry = { ...entry, state: 'pending' };
    this.entries.push(queued);
    await this.save();
    void this.drain();
    return queued;
  }

  /** Puts a failed entry back in line, with the same clientId. */
  async retry(clientId: string): Promise<OutboxEntry> {
    const entry = this.find(clientId);
    if (entry.state !== 'failed') throw new SwitchboardError('conflict', 'this message is still being sent');
    entry.state = 'pending';
    delete entry.failure;
    await this.save();
    this.hooks.changed(entry);
    this.attempt = 0;
    void this.drain();
    return entry;
  }

  /** Drops an entry that is not on its way to the server right now. */
  async discard(clientId: string): Promise<OutboxEntry> {
    const entry = this.find(clientId);
    if (this.inFlight === clientId)
      throw new SwitchboardError('conflict', 'this message is being sent right now');
    this.entries = this.entries.filter((e) => e !== entry);
    await this.save();
    return entry;
  }

  /** The stored copy was seen (live or in catch-up): the entry is done even if its ack was lost. */
  async settle(clientId: string): Promise<boolean> {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.clientId !== clientId);
    if (this.entries.length === before) return false;
    await this.save();
    return true;
  }

  /** Starts sending (connected). */
  resume(send: SendEntry): void {
    this.send = send;
    this.attempt = 0;
    void this.drain();
  }

  /** Stops sending (disconnected); entries wait for the next resume. */
  pause(): void {
    this.send = null;
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  async close(): Promise<void> {
    this.pause();
    this.closed = true;
    await this.saving.catch(() => {});
  }

  private find(clientId: string): OutboxEntry {
    const entry = this.entries.find((e) => e.clientId === clientId);
    if (!entry) throw new SwitchboardError('not_found', 'no such message in the outbox');
    return entry;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let entry = this.nextPending(); entry && this.send; entry = this.nextPending()) {
        this.inFlight = entry.clientId;
        try {
          const ack = await this.send(entry);
          if (this.closed) return;
          this.attempt = 0;
          if (await this.settle(entry.clientId)) this.hooks.delivered(entry, ack);
        } catch (err) {
          if (this.closed) return;
          const error = asSwitchboardError(err);
          if (isRetryable(error.code)) {
            this.scheduleRetry(error.retryAfter);
            return;
          }
          entry.state = 'failed';
          entry.failure = error.toBody();
          await this.save();
          this.hooks.changed(entry);
        } finally {
          this.inFlight = null;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private nextPending(): OutboxEntry | undefined {
    return this.entries.find((e) => e.state === 'pending');
  }

  private scheduleRetry(retryAfterSeconds = 0): void {
    if (!this.send || this.retryTimer !== null) return;
    this.attempt += 1;
    const delay = Math.max(backoffDelay(this.attempt), retryAfterSeconds * 1000);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      void this.drain();
    }, delay);
  }

  private save(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const snapshot = this.entries.map((e) => ({ ...e }));
    const next = this.saving.catch(() => {}).then(() => this.storage.set(this.key, snapshot));
    this.saving = next;
    return next;
  }
}
