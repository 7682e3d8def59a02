// Every chat action a signed-in user can take, with the schema its input must match. Both
// transports (REST and Socket.IO) go through this table, so they validate and behave alike.
import { z } from 'zod';
import {
  BrowseChannelsRequest,
  ChannelRef,
  CreateChannelRequest,
  EditMessageRequest,
  HistoryRequest,
  MarkReadRequest,
  MemberRequest,
  MessageRef,
  OpenDirectRequest,
  Preferences,
  ProfileRequest,
  SearchRequest,
  SendMessageRequest,
  SyncRequest,
  UpdateChannelRequest,
  ThreadRequest,
  ThreadListRequest,
  ThreadReadRequest,
  ReactionRequest,
  TopicMessagesRequest,
  TopicMuteRequest,
  TopicReadRequest,
  TopicRef,
  type ClientToServerEvents,
  type User,
} from '@switchboard/protocol';
import type { ServerContext } from './context.ts';
import { parse } from './errors.ts';

type Actor = User;

interface Action<S extends z.ZodType, R> {
  schema: S;
  run: (ctx: ServerContext, actor: Actor, input: z.output<S>) => Promise<R>;
}

const action = <S extends z.ZodType, R>(schema: S, run: Action<S, R>['run']): Action<S, R> => ({
  schema,
  run,
});
const Empty = z.strictObject({});

export const actions = {
  sync: action(SyncRequest, async (ctx, actor, req) => ({
    epoch: ctx.epoch,
    channels: await ctx.channels.summariesFor(actor.id),
    streams: await ctx.messages.catchUp(actor, req, ctx.epoch),
  })),
  'message.send': action(SendMessageRequest, (ctx, actor, req) => ctx.messages.send(actor, req)),
  'message.edit': action(EditMessageRequest, (ctx, actor, req) =>
    ctx.messages.edit(actor, req.messageId, req.text),
  ),
  'message.delete': action(MessageRef, (ctx, actor, req) => ctx.messages.delete(actor, req.messageId)),
  'channel.history': action(HistoryRequest, (ctx, actor, req) => ctx.messages.history(actor, req)),
  'channel.create': action(CreateChannelRequest, (ctx, actor, req) => ctx.channels.create(actor, req)),
  'channel.join': action(ChannelRef, (ctx, actor, req) => ctx.channels.join(actor, req.channelId)),
  'channel.leave': action(ChannelRef, async (ctx, actor, req) => {
    await ctx.channels.leave(actor, req.channelId);
    return { channelId: req.channelId };
  }),
  'channel.invite': action(MemberRequest, async (ctx, actor, req) => {
    if (await ctx.channels.invite(actor, req.channelId, req.userId)) {
      const added = await ctx.accounts.getUser(req.userId);
      await ctx.messages.postNotice(
        actor,
        req.channelId,
        { type: 'member.added', userId: added.id },
        `added @${added.username} to the channel`,
      );
    }
    return req;
  }),
  'channel.members': action(ChannelRef, async (ctx, actor, req) => ({
    userIds: await ctx.channels.members(actor, req.channelId),
  })),
  'channel.list': action(Empty, async (ctx, actor) => ({ channels: await ctx.channels.listVisible(actor) })),
  'channel.browse': action(BrowseChannelsRequest, (ctx, actor, req) => ctx.channels.browse(actor, req)),
  'direct.open': action(OpenDirectRequest, (ctx, actor, req) => ctx.channels.openDirect(actor, req.userId)),
  'read.mark': action(MarkReadRequest, (ctx, actor, req) =>
    ctx.channels.markRead(actor, req.channelId, req.seq),
  ),
  'user.list': action(Empty, async (ctx) => {
    const users = await ctx.accounts.listUsers();
    const presence = await ctx.connections.presenceOf(users.map((u) => u.id));
    return { users: users.map((u) => ({ ...u, presence: presence.get(u.id) ?? 'offline' })) };
  }),
  'preferences.get': action(Empty, (ctx, actor) => ctx.preferences.get(actor.id)),
  'preferences.set': action(Preferences, (ctx, actor, req) => ctx.preferences.set(actor.id, req)),
  'profile.set': action(ProfileRequest, (ctx, actor, req) =>
    ctx.accounts.setDisplayName(actor.id, req.displayName),
  ),
  search: action(SearchRequest, (ctx, actor, req) => ctx.search.search(actor, req)),
  // Channel details, threads and reactions
  'channel.update': action(UpdateChannelRequest, (ctx, actor, req) => ctx.channels.update(actor, req)),
  'message.thread': action(ThreadRequest, (ctx, actor, req) => ctx.messages.thread(actor, req)),
  'thread.list': action(ThreadListRequest, (ctx, actor, req) => ctx.threads.list(actor, req)),
  'thread.read': action(ThreadReadRequest, (ctx, actor, req) =>
    ctx.threads.markRead(actor, req.messageId, req.seq),
  ),
  'reaction.add': action(ReactionRequest, (ctx, actor, req) =>
    ctx.reactions.set(actor, req.messageId, req.emoji, true),
  ),
  'reaction.remove': action(ReactionRequest, (ctx, actor, req) =>
    ctx.reactions.set(actor, req.messageId, req.emoji, false),
  ),
  // Topics the user follows
  'topic.list': action(Empty, async (ctx, actor) => ({ topics: await ctx.topicFollows.list(actor) })),
  'topic.follow': action(TopicRef, (ctx, actor, req) => ctx.topicFollows.follow(actor, req.topic)),
  'topic.unfollow': action(TopicRef, (ctx, actor, req) => ctx.topicFollows.unfollow(actor, req.topic)),
  'topic.messages': action(TopicMessagesRequest, (ctx, actor, req) => ctx.topicFollows.messages(actor, req)),
  'topic.mute': action(TopicMuteRequest, (ctx, actor, req) =>
    ctx.topicFollows.setMuted(actor, req.topic, req.muted),
  ),
  'topic.read': action(TopicReadRequest, (ctx, actor, req) =>
    ctx.topicFollows.markRead(actor, req.topic, req.seq),
  ),
} satisfies Partial<Record<keyof ClientToServerEvents, Action<z.ZodType, unknown>>>;

export type ActionName = keyof typeof actions;
type ActionInput<N extends ActionName> = z.input<(typeof actions)[N]['schema']>;
type ActionResult<N extends ActionName> = Awaited<ReturnType<(typeof actions)[N]['run']>>;

export function isActionName(name: string): name is ActionName {
  return Object.hasOwn(actions, name);
}

/** Validates `input` against the action's schema and runs it for `actor`. */
export async function runAction<N extends ActionName>(
  ctx: ServerContext,
  actor: Actor,
  name: N,
  input: ActionInput<N> | unknown,
): Promise<ActionResult<N>> {
  const act = actions[name] as unknown as Action<z.ZodType, ActionResult<N>>;
  return act.run(ctx, actor, parse(act.schema, input));
}
