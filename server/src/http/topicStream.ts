// A live topic subscription, whatever carries it (an HTTP response, a WebSocket): `open`, then what
// was stored from `since`, then every new message, with a keepalive when idle. Listening starts
// before the stored messages are read and each topic's seq drops what was already sent, so a message
// published meanwhile comes exactly once; a message whose seq skips one fills the gap from the
// database first, so none is silently missed (messages from other nodes come through Redis).
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
  // Each topic's newest seq before listening: what lies beyond it comes live or fills a gap.
  const heads = await ctx.topics.heads(topics);
  /** The seq of the last message sent, per topic. */
  const sent = new Map<string, number>();
  let sink: TopicSink | null = null;
  const waiting: TopicMessage[] = [];
  const emit = (message: TopicMessage) => {
    if ((sent.get(message.topic) ?? 0) >= message.seq) return;
    sent.set(message.topic, message.seq);
    send(toTopicEvent(message));
  };
  // What is stored after the last message sent in `topic`: a message that came from another node
  // ahead of one that never did, or whatever was published while the link to the others was broken.
  const fill = async (topic: string) => {
    for (const message of await ctx.topics.readAfter(topic, sent.get(topic) ?? 0)) emit(message);
  };
  // One after another, so a gap is filled before what follows it goes out.
  let queue = Promise.resolve();
  const enqueue = (work: () => Promise<void> | void) => {
    queue = queue.then(work).catch((err: unknown) => {
      ctx.logger.error({ err, topics }, 'a topic subscription could not read what it missed');
      end();
    });
  };
  const deliver = (message: TopicMessage) => {
    if (!sink) return void waiting.push(message);
    enqueue(async () => {
      if (message.seq > (sent.get(message.topic) ?? 0) + 1) await fill(message.topic);
      emit(message);
    });
  };
  const resync = () => {
    if (sink) for (const topic of topics) enqueue(() => fill(topic));
  };
  // Until the sink exists, a shutdown only marks the stream to end as soon as it begins.
  let ended = false;
  let end = () => {
    ended = true;
  };
  const stopListening = ctx.topics.listen(
    topics,
    { message: deliver, resync, end: () => end() },
    options.holder,
  );
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
  for (const message of stored) emit(message);
  for (const topic of topics) sent.set(topic, Math.max(sent.get(topic) ?? 0, heads.get(topic) ?? 0));
  for (const message of waiting.splice(0)) deliver(message);

  const keepalive = setInterval(() => send(event('keepalive')), KEEPALIVE_MS);
  end = () => {
    clearInterval(keepalive);
    stopListening();
    out.close();
  };
  out.onClose(end);
  if (ended) end();
}
