// Composes one running server: store, domain services, HTTP and Socket.IO on one port.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SwitchboardError } from '@switchboard/protocol';
import { singleNode, type Cluster } from './cluster/cluster.ts';
import { connectRedis } from './cluster/redis.ts';
import type { Config } from './config.ts';
import type { ServerContext } from './context.ts';
import { systemClock, type Clock } from './clock.ts';
import { Accounts } from './domain/accounts.ts';
import { Channels } from './domain/channels.ts';
import { Files } from './domain/files.ts';
import { Invites } from './domain/invites.ts';
import { Messages } from './domain/messages.ts';
import { PasswordResets } from './domain/passwordResets.ts';
import { Registration } from './domain/registration.ts';
import type { Notifier } from './domain/notifier.ts';
import { UserPreferences } from './domain/preferences.ts';
import { Reactions } from './domain/reactions.ts';
import { Threads } from './domain/threads.ts';
import { RateLimits } from './domain/rateLimits.ts';
import { Search } from './domain/search.ts';
import { TopicAccess } from './domain/topicAccess.ts';
import { TopicFollows } from './domain/topicFollows.ts';
import { Topics } from './domain/topics.ts';
import { buildHttp, webPage } from './http/app.ts';
import { proxyTrust } from './http/clientAddress.ts';
import { Connections } from './http/connections.ts';
import { securityHeaders } from './http/securityHeaders.ts';
import { createLogger, type Logger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { Realtime } from './realtime/socket.ts';
import { BlobStore } from './store/blobs.ts';
import { isPostgresUrl, openStore, sqliteFileFor, type Store } from './store/database.ts';
import { openToOthers } from './store/files.ts';
import { SERVER_VERSION } from './version.ts';

export interface RunningServer {
  url: string;
  port: number;
  ctx: ServerContext;
  /** Present while no user exists: the one-time code for creating the first admin in the web UI. */
  setupCode: string | null;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  /** How often live connections are re-checked for revoked or expired tokens (default 30 s). */
  revocationSweepMs?: number;
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** Builds the domain services over an open store (shared by the server and the CLI subcommands). */
export async function openServices(
  config: Config,
  options: StartOptions & { notifier: Notifier; metrics?: Metrics },
) {
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics;
  const db = await openStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    durability: config.durability,
  });
  const channels = new Channels(db, options.notifier, {
    maxChannelsPerUser: config.maxChannelsPerUser,
    clock,
  });
  const registration = new Registration(db, config.registration);
  const invites = new Invites(db, clock);
  const accounts = new Accounts(
    db,
    {
      sessionTtlMs: config.sessionTtlDays * DAY,
      registration,
      invites,
      setupCodeTtlMs: config.setupCodeTtlHours * HOUR,
      welcome: (user) => channels.welcome(user.id),
      clock,
    },
    options.notifier,
  );
  const passwordResets = new PasswordResets(db, accounts, clock);
  const blobs = new BlobStore(config.dataDir);
  const files = new Files(db, blobs, channels, {
    maxFileBytes: config.maxFileBytes,
    quotaBytes: config.fileQuotaBytes,
    clock,
  });
  const threads = new Threads(db, channels, options.notifier);
  const messages = new Messages(db, channels, threads, options.notifier, files, {
    limits: { maxMessageLength: config.maxMessageLength, maxPayloadBytes: config.maxPayloadBytes },
    clock,
    onCommit: (size, ms) => {
      metrics?.commitBatch.observe(size);
      metrics?.commitSeconds.observe(ms / 1000);
    },
    onStored: (kind) => metrics?.messages.labels(kind).inc(),
  });
  const reactions = new Reactions(db, channels, messages, clock);
  const preferences = new UserPreferences(db, options.notifier, clock);
  const search = new Search(db, channels);
  const topics = new Topics(db, {
    maxMessageLength: config.maxMessageLength,
    maxSubscriptionsPerHolder: config.maxConnectionsPerUser,
    clock,
    onStored: () => metrics?.messages.labels('topic_message').inc(),
  });
  const topicAccess = new TopicAccess(
    db,
    { user: config.topicDefaultAccess, anonymous: config.topicAnonymousAccess },
    clock,
  );
  const topicFollows = new TopicFollows(db, topics, topicAccess, options.notifier, clock);
  return {
    db,
    accounts,
    channels,
    messages,
    threads,
    reactions,
    preferences,
    search,
    files,
    blobs,
    registration,
    invites,
    passwordResets,
    topics,
    topicAccess,
    topicFollows,
  };
}

async function ensureEpoch(db: Store): Promise<string> {
  const row = await db
    .selectFrom('server_meta')
    .select('value')
    .where('key', '=', 'epoch')
    .executeTakeFirst();
  if (row) return row.value;
  const epoch = randomBytes(8).toString('hex');
  await db
    .insertInto('server_meta')
    .values({ key: 'epoch', value: epoch })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return (
    await db.selectFrom('server_meta').select('value').where('key', '=', 'epoch').executeTakeFirstOrThrow()
  ).value;
}

/** Nodes sharing a database must share the files folder: checked at start (BlobStore.claimShared). */
async function claimFilesFolder(db: Store, blobs: BlobStore): Promise<void> {
  const recorded = async () =>
    (await db.selectFrom('server_meta').select('value').where('key', '=', 'files_volume').executeTakeFirst())
      ?.value ?? null;
  const claimed = blobs.claimShared(await recorded());
  if (!claimed.unrecorded) return;
  await db
    .insertInto('server_meta')
    .values({ key: 'files_volume', value: claimed.mark })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  // Another node, on another folder, may have recorded its mark first.
  if ((await recorded()) !== claimed.mark) blobs.claimShared(await recorded());
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const privateDir = isPostgresUrl(config.databaseUrl)
    ? config.dataDir
    : path.dirname(path.resolve(sqliteFileFor(config)));
  warnIfOpenToOthers(privateDir, logger);
  const metrics = new Metrics();
  let shuttingDown = false;

  // Built in dependency order: Socket.IO first (the domain tells live connections about changes
  // through its notifier), then the domain, then HTTP over the domain, which Socket.IO attaches to.
  const cluster: Cluster = config.redisUrl ? await connectRedis(config.redisUrl, logger) : singleNode();
  const realtime = new Realtime(config.maxPayloadBytes, cluster);
  let services: Awaited<ReturnType<typeof openServices>>;
  try {
    services = await openServices(config, { ...options, notifier: realtime.notifier, metrics });
  } catch (err) {
    await cluster.close();
    throw err;
  }
  realtime.relayTopics(services.topics);
  try {
    if (isPostgresUrl(config.databaseUrl)) await claimFilesFolder(services.db, services.blobs);
    await services.channels.ensureDefaultChannel(config.defaultChannel);
  } catch (err) {
    await services.db.destroy();
    await cluster.close();
    throw err;
  }
  const context: ServerContext = {
    config,
    version: SERVER_VERSION,
    epoch: await ensureEpoch(services.db),
    ...services,
    rateLimits: new RateLimits(
      {
        userPerMinute: config.rateLimitUser,
        ipPerMinute: config.rateLimitIp,
        loginPerMinute: config.rateLimitLogin,
        loginFailuresPerAccountPerHour: config.rateLimitLoginAccount,
      },
      cluster.limiter,
    ),
    connections: cluster.connections,
    cluster,
    metrics,
    logger,
    isShuttingDown: () => shuttingDown,
  };

  const headers = securityHeaders(webPage());
  const app = await buildHttp(context, headers);
  const trusted = proxyTrust(config.trustProxy);
  const connections = new Connections(
    app.server,
    {
      maxPerAddress: config.maxConnectionsPerAddress,
      exempt: (address) => trusted !== false && trusted(address, 0),
    },
    logger,
  );
  const stopRealtime = realtime.attach(app.server, context, {
    securityHeaders: headers,
    revocationSweepMs: options.revocationSweepMs,
  });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    stopRealtime();
    await app.close();
    await services.db.destroy();
    await cluster.close();
    throw listenError(err as NodeJS.ErrnoException, config);
  }

  const retention =
    config.retentionDays > 0
      ? startRetention(context, config.retentionDays, options.clock ?? systemClock)
      : undefined;
  // Several nodes share the files folder: another node's upload may be streaming into it.
  const shared = isPostgresUrl(config.databaseUrl);
  services.blobs.removeUnfinished(shared ? HOUR : 0);
  const fileSweep = startFileSweep(context, config.fileOrphanHours * HOUR, shared);
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const setupCode = await services.accounts.issueSetupCode();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const deadline = Date.now() + config.shutdownGraceSeconds * 1000;
      // A client that stalls mid-request, stops reading, or never answers a WebSocket close would
      // otherwise hold the shutdown open for as long as it stays connected.
      const cut = setTimeout(() => connections.destroyAll(), deadline - Date.now());
      shuttingDown = true;
      logger.info('shutting down: answering what was accepted, then closing connections');
      clearInterval(retention);
      clearInterval(fileSweep);
      // Live topic streams end now: they would hold the HTTP server open until the cut.
      services.topics.endSubscriptions();
      stopRealtime();
      await realtime.drain(deadline);
      await services.messages.drain();
      await new Promise<void>((resolve) => realtime.io.close(() => resolve()));
      await app.close();
      clearTimeout(cut);
      // A REST send still committing when its connection was cut finishes before the store closes.
      await services.messages.drain();
      await services.db.destroy();
      await cluster.close();
      logger.info('shut down cleanly');
    })());

  return { url: `http://${host}:${address.port}`, port: address.port, ctx: context, setupCode, close };
}

function warnIfOpenToOthers(dir: string, logger: Logger): void {
  if (!fs.existsSync(dir) || !openToOthers(dir)) return;
  logger.warn(
    `the data directory ${dir} is readable by other users of this machine, and holds password hashes and every private message: run chmod 700 ${dir}`,
  );
}

/** Removes uploads never attached to a message, and bytes no file refers to, every hour. */
function startFileSweep(ctx: ServerContext, graceMs: number, shared: boolean): NodeJS.Timeout {
  const sweep = () => {
    // Nodes that died mid-upload leave temp files on a shared volume that no restart of theirs clears.
    if (shared) ctx.blobs.removeUnfinished(HOUR);
    return ctx.files
      .sweep(graceMs)
      .then(
        (n) => (n.files > 0 || n.blobs > 0) && ctx.logger.info(n, 'files: removed uploads never attached'),
      )
      .catch((err: unknown) => ctx.logger.error({ err }, 'files: sweeping failed'));
  };
  void sweep();
  return setInterval(sweep, HOUR).unref();
}

function startRetention(ctx: ServerContext, days: number, clock: Clock): NodeJS.Timeout {
  const prune = () =>
    Promise.all([
      ctx.messages.pruneOlderThan(clock() - days * DAY),
      ctx.topics.pruneOlderThan(clock() - days * DAY),
    ])
      .then(
        ([n, t]) =>
          n + t > 0 && ctx.logger.info({ removed: n, topicMessages: t }, 'retention: removed old messages'),
      )
      .catch((err: unknown) => ctx.logger.error({ err }, 'retention: pruning failed'));
  void prune();
  return setInterval(prune, 60 * 60 * 1000).unref();
}

/** Why the server could not take its address, in words that say what to do about it. */
function listenError(err: NodeJS.ErrnoException, { host, port }: Config): unknown {
  const address = `${host}:${port}`;
  if (err.code === 'EADDRINUSE')
    return new SwitchboardError(
      'conflict',
      `${address} is in use by another program: stop it, or choose another port with --port (0 takes any free one)`,
    );
  if (err.code === 'EACCES')
    return new SwitchboardError(
      'forbidden',
      `this user may not listen on ${address}: choose a port above 1023, or give the server the right to bind low ports`,
    );
  if (err.code === 'EADDRNOTAVAIL')
    return new SwitchboardError('bad_request', `${host} is not an address of this machine: check --host`);
  return err;
}
