// The services one running server shares between its transports.
import type { Cluster } from './cluster/cluster.ts';
import type { ConnectionRegistry } from './cluster/connections.ts';
import type { Config } from './config.ts';
import type { Accounts } from './domain/accounts.ts';
import type { Channels } from './domain/channels.ts';
import type { Files } from './domain/files.ts';
import type { Invites } from './domain/invites.ts';
import type { Messages } from './domain/messages.ts';
import type { PasswordResets } from './domain/passwordResets.ts';
import type { UserPreferences } from './domain/preferences.ts';
import type { Reactions } from './domain/reactions.ts';
import type { Threads } from './domain/threads.ts';
import type { RateLimits } from './domain/rateLimits.ts';
import type { Registration } from './domain/registration.ts';
import type { Search } from './domain/search.ts';
import type { TopicAccess } from './domain/topicAccess.ts';
import type { TopicFollows } from './domain/topicFollows.ts';
import type { Topics } from './domain/topics.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { BlobStore } from './store/blobs.ts';
import type { Store } from './store/database.ts';

export interface ServerContext {
  config: Config;
  version: string;
  /** Changes only if history is reset; clients from another epoch resynchronise from scratch. */
  epoch: string;
  db: Store;
  accounts: Accounts;
  channels: Channels;
  messages: Messages;
  threads: Threads;
  reactions: Reactions;
  preferences: UserPreferences;
  registration: Registration;
  invites: Invites;
  passwordResets: PasswordResets;
  search: Search;
  files: Files;
  /** Notification topics and who may use them (the publish API). */
  topics: Topics;
  topicAccess: TopicAccess;
  /** The topics users follow in the apps. */
  topicFollows: TopicFollows;
  blobs: BlobStore;
  rateLimits: RateLimits;
  /** Live connections per user, on every node: presence and the per-user cap. */
  connections: ConnectionRegistry;
  /** What the nodes share besides the database (Redis, or this node's memory alone). */
  cluster: Cluster;
  metrics: Metrics;
  logger: Logger;
  /** True once shutdown began: new work is refused with `unavailable`. */
  isShuttingDown: () => boolean;
}
