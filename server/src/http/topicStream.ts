// A live topic subscription, whatever carries it (an HTTP response, a WebSocket): `open`, then what
// was stored from `since`, then every new message, with a keepalive when idle. Listening starts
// before the stored messages are read and each topic's seq drops what was already sent, so a message
// published meanwhile comes exactly once.
import { newId, type TopicEvent } from '@switchboard/protocol';
import type { ServerContext } from '../context.ts';
import { toTopicEvent, type Since, type TopicMessage } from '../domain/topics.ts';

/** How often an idle stream says it is alive (ntfy's interval), so proxies and clients keep it open. */
export const KEEPALIVE_MS = 45_000;
/** A subscriber this far behind in reading is cut off rather than buffered without end. */
export const MAX_UNREAD_BYTES = 1024 * 1024;

/** Where a subscription's events go, once it has begun. */
export interface TopicSink {
  send(event: TopicEvent): void;
  /** Bytes written but not yet taken by the subscriber. */
  unread(): number;
  /** Ends the stream (shutdown, or a subscriber too far behind). */
  close(): void;
  /** Calls `listener` once the subscriber has gone, however it went. */
  onClose(listener: () => void): void;
}

/**
 * Subscribes to `topics`: reads what is stored from `since`, then calls `begin` for the sink (so a
 * failed read still answers with an error) and keeps it fed until it closes.
 */
export async function streamTopics(
  ctx: ServerContext,
  options: { topics: readonly string[]; since: Since; holder: string },
  begin: () => TopicSink,
): Promise<void> {
  const { topics } = options;
  const sent = new Map<string, number>();
  let sink: TopicSink | null = null;
  const waiting: TopicMessage[] = [];
  const deliver = (message: TopicMessage) => {
    if (!sink) return void waiting.push(message);
    if ((sent.get(message.topic) ?? 0) >= message.seq) return;
    sent.set(message.topic, message.seq);
    send(toTopicEvent(message));
  };
  // Until the sink exists, a shutdown only marks the stream to end as soon as it begins.
  let ended = false;
  let end = () => {
    ended = true;
  };
  const stopListening = ctx.topics.listen(topics, { message: deliver, end: () => end() }, options.holder);
  let stored: TopicMessage[];
  try {
    stored = await ctx.topics.read(topics, options.since);
  } catch (err) {
    stopListening();
    throw err;
  }

  const out = begin();
  const send = (event: TopicEvent) => {
    out.send(event);
    if (out.unread() > MAX_UNREAD_BYTES) {
      ctx.logger.warn({ topics }, 'topic subscriber too far behind: disconnected');
      out.close();
    }
  };
  const event = (kind: 'open' | 'keepalive'): TopicEvent => ({
    id: newId(),
    time: Math.floor(Date.now() / 1000),
    event: kind,
    topic: topics.join(','),
  });
  sink = out;
  send(event('open'));
  for (const message of [...stored, ...waiting.splice(0)]) deliver(message);

  const keepalive = setInterval(() => send(event('keepalive')), KEEPALIVE_MS);
  end = () => {
    clearInterval(keepalive);
    stopListening();
    out.close();
  };
  out.onClose(end);
  if (ended) end();
}
