// Messages the user sent that the server has not acknowledged yet, persisted before `send` returns
// so they survive a crash or restart. Each keeps the clientId it was given: however often it is
// retried, the server stores it once (ARCHITECTURE.md §3). Entries go out one at a time in the
// order they were queued, which keeps a conversation's order.
//
// Several session cores may share one storage (browser tabs that each run a dedicated worker, two
// processes on one data dir). So every entry is a record of its own (`<prefix><clientId>`) and a
// core writes only the entries it changes, which no other core can overwrite; only the core that
// holds the storage's outbox lock sends. Every core reloads the records every few seconds: the
// sender picks up what the others queued, and the others see their entries settle or fail.
import { z } from 'zod';
import { ClientId, ErrorBody, FileInfo, Id, SwitchboardError, type SendAck } from '@switchboard/protocol';
import { backoffDelay, systemClock, type Clock } from './connection.ts';
import { asSwitchboardError, isRetryable } from './errors.ts';
import { describeError, silentLogger, type Logger } from './log.ts';
import { firstVersion, Records } from './records.ts';
import type { KeyValueStorage } from './storage.ts';

/** How often the records are reloaded to see what other cores on the same storage changed. */
export const RELOAD_MS = 2_000;

const OutboxEntry = z.object({
  clientId: ClientId,
  channelId: Id,
  text: z.string(),
  /** Uploaded files the message takes (entries queued before files existed have none). */
  files: z.array(FileInfo).default([]),
  queuedAt: z.number(),
  state: z.enum(['pending', 'failed']),
  failure: ErrorBody.optional(),
  // A thread reply (entries saved before threads have neither).
  parentId: Id.optional(),
  alsoInChannel: z.boolean().optional(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

const OUTBOX_RECORD = firstVersion('queued message', OutboxEntry);

export interface OutboxHooks {
  /** The server acknowledged the entry; it has left the outbox. */
  delivered(entry: OutboxEntry, ack: SendAck): void;
  /** The entry failed for good, is pending again after retrySend, or was queued by another core. */
  changed(entry: OutboxEntry): void;
  /** Another core on the same storage delivered or discarded the entry. */
  removed(entry: OutboxEntry): void;
}

/** Sends one entry; throws a SwitchboardError when the server (or the connection) says no. */
export type SendEntry = (entry: OutboxEntry) => Promise<SendAck>;

export interface OutboxOptions {
  clock?: Clock;
  logger?: Logger;
}

const queueOrder = (a: OutboxEntry, b: OutboxEntry) =>
  a.queuedAt - b.queuedAt || (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0);

export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private send: SendEntry | null = null;
  /** After close nothing is written: a sign-out may be wiping this account's storage. */
  private closed = false;
  /** Holds the lock: the one core on this storage that sends. */
  private sender = false;
  private readonly stopWaiting = new AbortController();
  private releaseLock: (() => Promise<void>) | null = null;
  private draining = false;
  private inFlight: string | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private reloadTimer: unknown = null;
  /** Local writes still on their way, and a count of every local change: a reload never undoes one. */
  private readonly writing = new Set<Promise<void>>();
  private changes = 0;
  private readonly records: Records<OutboxEntry>;
  private readonly clock: Clock;
  private readonly log: Logger;

  private constructor(
    private readonly storage: KeyValueStorage,
    private readonly prefix: string,
    private readonly hooks: OutboxHooks,
    options: OutboxOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.records = new Records(storage, OUTBOX_RECORD, this.log);
  }

  /** Loads the entries stored under `prefix` and starts waiting for the right to send them. */
  static async open(
    storage: KeyValueStorage,
    prefix: string,
    hooks: OutboxHooks,
    options: OutboxOptions = {},
  ): Promise<Outbox> {
    const outbox = new Outbox(storage, prefix, hooks, options);
    for (const entry of await outbox.load()) outbox.entries.set(entry.clientId, entry);
    outbox.claim();
    outbox.scheduleReload();
    return outbox;
  }

  list(channelId?: string): OutboxEntry[] {
    const all = [...this.entries.values()].sort(queueOrder);
    return channelId === undefined ? all : all.filter((e) => e.channelId === channelId);
  }

  has(clientId: string): boolean {
    return this.entries.has(clientId);
  }

  /**
   * Queues a message; resolves once it is persisted, and fails (queueing nothing) when it cannot be.
   * A clientId already queued is that entry, unchanged: one message, however often it is added.
   */
  async add(entry: Omit<OutboxEntry, 'state' | 'files'> & { files?: FileInfo[] }): Promise<OutboxEntry> {
    const already = this.entries.get(entry.clientId);
    if (already) return already;
    const queued: OutboxEntry = { ...entry, files: entry.files ?? [], state: 'pending' };
    // In line only once stored: a message that goes out although `send` failed would be sent
    // again by a person who was told it failed.
    await this.write(queued);
    this.entries.set(queued.clientId, queued);
    void this.drain();
    return queued;
  }

  /** Puts a failed entry back in line, with the same clientId. */
  async retry(clientId: string): Promise<OutboxEntry> {
    const entry = this.find(clientId);
    if (entry.state !== 'failed') throw new SwitchboardError('conflict', 'this message is still being sent');
    const pending: OutboxEntry = { ...entry, state: 'pending' };
    delete pending.failure;
    await this.write(pending);
    this.entries.set(clientId, pending);
    this.hooks.changed(pending);
    this.attempt = 0;
    this.cancelRetry();
    void this.drain();
    return pending;
  }

  /** Drops an entry that is not on its way to the server right now. */
  async discard(clientId: string): Promise<OutboxEntry> {
    const entry = this.find(clientId);
    if (this.inFlight === clientId)
      throw new SwitchboardError('conflict', 'this message is being sent right now');
    // Out of line first, so it cannot start going out while it is being deleted.
    this.entries.delete(clientId);
    try {
      await this.remove(clientId);
    } catch (err) {
      this.entries.set(clientId, entry);
      throw err;
    }
    return entry;
  }

  /** The stored copy was seen (live or in catch-up): the entry is done even if its ack was lost. */
  async settle(clientId: string): Promise<boolean> {
    if (this.closed || !this.entries.delete(clientId)) return false;
    await this.dropRecord(clientId);
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
    this.cancelRetry();
  }

  async close(): Promise<void> {
    this.pause();
    this.closed = true;
    this.stopWaiting.abort();
    if (this.reloadTimer !== null) this.clock.clearTimeout(this.reloadTimer);
    this.reloadTimer = null;
    await Promise.allSettled([...this.writing]);
    const release = this.releaseLock;
    this.releaseLock = null;
    await release?.().catch((err: unknown) =>
      this.log.error('could not release the outbox lock', { error: describeError(err) }),
    );
  }

  private find(clientId: string): OutboxEntry {
    const entry = this.entries.get(clientId);
    if (!entry) throw new SwitchboardError('not_found', 'no such message in the outbox');
    return entry;
  }

  /** Waits for the lock in the background; with it, this core sends for everyone on the storage. */
  private claim(): void {
    this.storage.lock(`${this.prefix}sender`, this.stopWaiting.signal).then(
      async (release) => {
        if (this.closed) return void (await release().catch(() => {}));
        this.releaseLock = release;
        this.sender = true;
        await this.reload();
        void this.drain();
      },
      (err: unknown) => {
        if (!this.closed)
          this.log.error('could not take the outbox lock: this session will not send', {
            error: describeError(err),
          });
      },
    );
  }

  private async drain(): Promise<void> {
    // While a retry is scheduled, the backoff (or the server's retryAfter) decides when to go on.
    if (this.draining || this.retryTimer !== null) return;
    this.draining = true;
    try {
      for (let entry = this.nextPending(); entry && this.sender && this.send; entry = this.nextPending()) {
        if (!(await this.sendOne(entry, this.send))) return;
      }
    } catch (err) {
      this.log.error('the outbox stopped sending', { error: describeError(err) });
    } finally {
      this.draining = false;
    }
  }

  /** Sends one entry; false when sending should stop for now. */
  private async sendOne(entry: OutboxEntry, send: SendEntry): Promise<boolean> {
    this.inFlight = entry.clientId;
    try {
      const ack = await send(entry);
      if (this.closed) return false;
      this.attempt = 0;
      // Told at once, with the entry out of memory: waiting for the disk would show the stored
      // copy and the pending entry side by side. (Already settled: its stored copy was seen.)
      if (this.entries.delete(entry.clientId)) {
        this.hooks.delivered(entry, ack);
        await this.dropRecord(entry.clientId);
      }
      return true;
    } catch (err) {
      if (this.closed) return false;
      const error = asSwitchboardError(err);
      if (isRetryable(error.code)) {
        this.scheduleRetry(error.retryAfter);
        return false;
      }
      // No longer on its way: once shown as failed it may be discarded at once.
      this.inFlight = null;
      await this.markFailed(entry, error);
      return true;
    } finally {
      this.inFlight = null;
    }
  }

  private async markFailed(entry: OutboxEntry, error: SwitchboardError): Promise<void> {
    // Settled meanwhile (its stored copy arrived): nothing failed.
    if (this.entries.get(entry.clientId) !== entry) return;
    const failed: OutboxEntry = { ...entry, state: 'failed', failure: error.toBody() };
    this.entries.set(entry.clientId, failed);
    this.hooks.changed(failed);
    try {
      await this.write(failed);
    } catch (err) {
      // The record still says pending: the next start tries it again and it fails again.
      this.log.error('could not record that a message failed', {
        clientId: entry.clientId,
        error: describeError(err),
      });
    }
  }

  private nextPending(): OutboxEntry | undefined {
    return this.list().find((e) => e.state === 'pending');
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

  private cancelRetry(): void {
    if (this.retryTimer !== null) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private scheduleReload(): void {
    this.reloadTimer = this.clock.setTimeout(() => {
      void this.reload().finally(() => {
        if (this.closed) return;
        this.scheduleReload();
        void this.drain();
      });
    }, RELOAD_MS);
  }

  /** Takes in what other cores changed in the records; never fails (a failed read waits for the next). */
  private async reload(): Promise<void> {
    if (this.writing.size > 0) return;
    const mark = this.changes;
    let stored: Map<string, OutboxEntry>;
    try {
      stored = new Map((await this.load()).map((e) => [e.clientId, e]));
    } catch (err) {
      this.log.error('could not read the outbox', { error: describeError(err) });
      return;
    }
    if (this.closed || mark !== this.changes || this.writing.size > 0) return;
    for (const [clientId, entry] of this.entries) {
      if (stored.has(clientId) || clientId === this.inFlight) continue;
      this.entries.delete(clientId);
      this.hooks.removed(entry);
    }
    for (const [clientId, entry] of stored) {
      const known = this.entries.get(clientId);
      if (clientId === this.inFlight || (known && known.state === entry.state)) continue;
      this.entries.set(clientId, entry);
      this.hooks.changed(entry);
    }
  }

  /** The stored entries; unreadable records are logged and dropped (Records). */
  private async load(): Promise<OutboxEntry[]> {
    const found: OutboxEntry[] = [];
    for (const [key, entry] of await this.records.readAll(this.prefix)) {
      if (key === this.prefix + entry.clientId) found.push(entry);
      else {
        this.log.error('a queued message was stored under another key; it was dropped', { key });
        await this.storage.delete(key);
      }
    }
    return found;
  }

  /** Deletes a delivered entry's record; a failure is logged (at worst it is sent again, and stored once). */
  private async dropRecord(clientId: string): Promise<void> {
    try {
      await this.remove(clientId);
    } catch (err) {
      this.log.error('could not remove a delivered message from the outbox', {
        clientId,
        error: describeError(err),
      });
    }
  }

  private write(entry: OutboxEntry): Promise<void> {
    return this.track(() => this.records.write(this.prefix + entry.clientId, entry));
  }

  private remove(clientId: string): Promise<void> {
    return this.track(() => this.storage.delete(this.prefix + clientId));
  }

  private track(change: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new SwitchboardError('unavailable', 'the session was closed'));
    this.changes += 1;
    const write = change();
    this.writing.add(write);
    const done = () => void this.writing.delete(write);
    write.then(done, done);
    return write;
  }
}
