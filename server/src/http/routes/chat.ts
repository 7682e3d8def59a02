// REST routes for chat: every action a signed-in user can take, for bots and scripts. Routes only
// translate HTTP shapes; the work happens in ../../actions.ts and the domain.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { runAction, type ActionName } from '../../actions.ts';
import type { ServerContext } from '../../context.ts';
import { parse } from '../../errors.ts';
import { Id, ReactionEmoji } from '@switchboard/protocol';
import { bodyObject, idParam } from './input.ts';

const querySeq = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const queryLimit = z.coerce.number().int().optional();
const HistoryQuery = z.strictObject({
  after: querySeq.optional(),
  before: querySeq.optional(),
  around: querySeq.optional(),
  limit: queryLimit,
});
/** Query strings carry text: the limit becomes a number here, the rest is checked by the action. */
const BrowseQuery = z.looseObject({ limit: queryLimit });
const SearchQuery = z.looseObject({
  before: querySeq.optional(),
  after: querySeq.optional(),
  limit: queryLimit,
});
const ThreadsQuery = z.looseObject({ limit: queryLimit });
/** `:topic` is checked by the action (TopicName), like every other field. */
const TopicParams = z.strictObject({ topic: z.string() });
const TopicMessagesQuery = z.strictObject({
  after: querySeq.optional(),
  before: querySeq.optional(),
  limit: queryLimit,
});
/** `:emoji` is the URL-encoded emoji (or its shortcode name); the action checks it against the set. */
const ReactionParams = z.strictObject({ id: Id, emoji: ReactionEmoji });

export function chatRoutes(api: FastifyInstance, ctx: ServerContext): void {
  const act = <N extends ActionName>(request: FastifyRequest, name: N, input: unknown) =>
    runAction(ctx, request.user, name, input);

  api.patch('/me', (request) => act(request, 'profile.set', bodyObject(request)));

  api.get('/me/preferences', (request) => act(request, 'preferences.get', {}));
  api.put('/me/preferences', (request) => act(request, 'preferences.set', bodyObject(request)));

  api.get('/me/channels', async (request) => ({
    channels: await ctx.channels.summariesFor(request.user.id),
  }));

  api.get('/users', (request) => act(request, 'user.list', {}));

  api.get('/channels', (request) => act(request, 'channel.list', {}));

  api.post('/channels', async (request, reply) =>
    reply.status(201).send(await act(request, 'channel.create', request.body)),
  );

  api.get('/channels/browse', (request) => act(request, 'channel.browse', parse(BrowseQuery, request.query)));

  api.get('/channels/:id', (request) => ctx.channels.view(request.user, idParam(request)));

  api.get('/channels/:id/members', (request) =>
    act(request, 'channel.members', { channelId: idParam(request) }),
  );

  api.post('/channels/:id/join', (request) => act(request, 'channel.join', { channelId: idParam(request) }));
  api.post('/channels/:id/leave', (request) =>
    act(request, 'channel.leave', { channelId: idParam(request) }),
  );
  api.post('/channels/:id/members', (request) =>
    act(request, 'channel.invite', { ...bodyObject(request), channelId: idParam(request) }),
  );
  api.post('/channels/:id/read', (request) =>
    act(request, 'read.mark', { ...bodyObject(request), channelId: idParam(request) }),
  );

  api.get('/channels/:id/messages', async (request) => {
    const query = parse(HistoryQuery, request.query);
    return act(request, 'channel.history', { ...query, channelId: idParam(request) });
  });

  api.post('/channels/:id/messages', async (request, reply) => {
    const ack = await act(request, 'message.send', { ...bodyObject(request), channelId: idParam(request) });
    // A repeated clientId is not an error: the same message, and 200 instead of 201.
    return reply
      .status(ack.duplicate ? 200 : 201)
      .send({ ...ack.message, id: ack.id, seq: ack.seq, ts: ack.ts, duplicate: ack.duplicate });
  });

  api.patch('/messages/:id', (request) =>
    act(request, 'message.edit', { ...bodyObject(request), messageId: idParam(request) }),
  );
  api.delete('/messages/:id', (request) => act(request, 'message.delete', { messageId: idParam(request) }));

  // Channel details, threads and reactions
  api.patch('/channels/:id', (request) =>
    act(request, 'channel.update', { ...bodyObject(request), channelId: idParam(request) }),
  );
  api.get('/messages/:id/thread', (request) =>
    act(request, 'message.thread', { ...parse(HistoryQuery, request.query), messageId: idParam(request) }),
  );
  api.post('/messages/:id/thread/read', (request) =>
    act(request, 'thread.read', { ...bodyObject(request), messageId: idParam(request) }),
  );
  api.get('/me/threads', (request) => act(request, 'thread.list', parse(ThreadsQuery, request.query)));
  api.put('/messages/:id/reactions/:emoji', (request) => {
    const { id, emoji } = parse(ReactionParams, request.params);
    return act(request, 'reaction.add', { messageId: id, emoji });
  });
  api.delete('/messages/:id/reactions/:emoji', (request) => {
    const { id, emoji } = parse(ReactionParams, request.params);
    return act(request, 'reaction.remove', { messageId: id, emoji });
  });

  // Topics the user follows
  const topicOf = (request: FastifyRequest) => parse(TopicParams, request.params).topic;
  api.get('/me/topics', (request) => act(request, 'topic.list', {}));
  api.put('/me/topics/:topic', (request) => act(request, 'topic.follow', { topic: topicOf(request) }));
  api.delete('/me/topics/:topic', (request) => act(request, 'topic.unfollow', { topic: topicOf(request) }));
  api.patch('/me/topics/:topic', (request) =>
    act(request, 'topic.mute', { ...bodyObject(request), topic: topicOf(request) }),
  );
  api.get('/me/topics/:topic/messages', (request) =>
    act(request, 'topic.messages', { ...parse(TopicMessagesQuery, request.query), topic: topicOf(request) }),
  );
  api.post('/me/topics/:topic/read', (request) =>
    act(request, 'topic.read', { ...bodyObject(request), topic: topicOf(request) }),
  );

  api.post('/directs', async (request) => act(request, 'direct.open', request.body));
  api.post('/sync', (request) => act(request, 'sync', request.body));

  api.get('/search', (request) => act(request, 'search', parse(SearchQuery, request.query)));
}
