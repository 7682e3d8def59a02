// Effective configuration: defaults < config file < SWITCHBOARD_* environment < command-line flags.
// One table describes every setting, so flags, env names, the file format, validation, `--help` and
// `config` output cannot drift apart.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_LIMITS, NAME_PATTERN, SwitchboardError, TopicPermission } from '@switchboard/protocol';

// Env vars and flags carry numbers as text. Only digits count as a number: z.coerce would turn "",
// " ", null or true into 0 or 1, so an empty SWITCHBOARD_PORT silently meant a random port.
const integer = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z.number().int().min(min).max(max),
  );
const port = integer(0, 65535);
const positiveInt = integer(1, 1_000_000_000);
const nonNegativeInt = integer(0, 1_000_000_000);
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const proxyList = z
  .string()
  .max(2000)
  .regex(/^[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*$/, 'expected addresses or CIDRs, comma-separated')
  .transform((v) => v.split(',').map((a) => a.trim()));
const trustProxy = z.union([
  bool,
  // A hop count: 1 is one proxy (not "trust every hop"); 0 trusts none, the same as false.
  integer(0, 32).transform((hops) => (hops === 0 ? false : hops)),
  proxyList,
  z.array(z.string().regex(/^[0-9a-fA-F.:/]+$/, 'expected an address or CIDR')).min(1),
]);
const url = z.string().min(1).max(2000);

export const SETTINGS = {
  port: { schema: port, default: 8080, help: 'TCP port to listen on (0 picks a free one)' },
  host: {
    schema: z.string().min(1).max(255),
    default: '127.0.0.1',
    help: 'address to bind; 0.0.0.0 for all interfaces',
  },
  dataDir: {
    schema: z.string().min(1).max(4096),
    default: './switchboard-data',
    help: 'folder for the database; the server (and user add, access set) create it if missing',
  },
  databaseUrl: {
    schema: url
      .refine(
        (v) => /^(sqlite:|postgres(ql)?:\/\/)/.test(v),
        'expected sqlite:/path/file.db or postgres://user:password@host:5432/database',
      )
      .optional(),
    default: undefined,
    help: 'sqlite:/path/file.db (default: <data-dir>/switchboard.db), or postgres://… for several nodes',
    secret: 'url',
  },
  redisUrl: {
    schema: url
      .refine((v) => /^rediss?:\/\//.test(v), 'expected redis://[:password@]host:6379 or rediss://…')
      .optional(),
    default: undefined,
    help: 'redis://… to share live events, rate limits and presence between several nodes',
    secret: 'url',
  },
  publicUrl: {
    schema: z.url().optional(),
    default: undefined,
    help: 'the address users reach this server at (for invite links)',
  },
  logLevel: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    help: 'log level',
  },
  durability: {
    schema: z.enum(['standard', 'strict']),
    default: 'standard',
    help: 'standard: acked messages survive a crash; strict: also survive power loss (fsync per commit group)',
  },
  registration: {
    schema: z.enum(['closed', 'invite', 'open']).optional(),
    default: undefined,
    help: 'who may create an account: closed, invite or open. Unset, admins choose in Settings (closed on a new server); set, it is fixed and Settings cannot change it',
  },
  defaultChannel: {
    schema: z.union([z.literal(''), z.string().regex(NAME_PATTERN, 'expected a channel name')]),
    default: 'general',
    help: 'the public channel made on first start, which every new account joins ("" for none)',
  },
  sessionTtlDays: { schema: positiveInt, default: 30, help: 'days a sign-in stays valid' },
  setupCodeTtlHours: {
    schema: positiveInt,
    default: 24,
    help: 'hours the first-admin setup code works; each start prints a new one',
  },
  retentionDays: {
    schema: nonNegativeInt,
    default: 0,
    help: 'delete messages older than this many days (0 keeps all)',
  },
  trustProxy: {
    schema: trustProxy,
    default: false,
    help: 'trust X-Forwarded-For from: true (any), a hop count (0 = none), or proxy addresses/CIDRs, comma-separated',
  },
  maxPayloadBytes: {
    schema: positiveInt,
    default: DEFAULT_LIMITS.maxPayloadBytes,
    help: 'largest HTTP body or Socket.IO packet',
  },
  maxMessageLength: {
    schema: positiveInt,
    default: DEFAULT_LIMITS.maxMessageLength,
    help: 'longest message, in characters',
  },
  maxChannelsPerUser: {
    schema: positiveInt,
    default: 100,
    help: 'channels one user may create (admins are not limited)',
  },
  maxConnectionsPerUser: {
    schema: positiveInt,
    default: DEFAULT_LIMITS.maxConnectionsPerUser,
    help: 'live connections per user; live topic subscriptions per user or anonymous address, counted apart',
  },
  maxConnectionsPerAddress: {
    schema: positiveInt,
    default: 1000,
    help: 'open TCP connections from one client address (trusted proxies are not limited)',
  },
  maxPendingSessionsPerAddress: {
    schema: positiveInt,
    default: 50,
    help: 'Socket.IO sessions from one client address that have not signed in yet',
  },
  metricsToken: {
    schema: z.string().min(16, 'use at least 16 characters').max(512).optional(),
    default: undefined,
    help: 'when set, GET /metrics needs Authorization: Bearer <this token>',
    secret: 'whole',
  },
  shutdownGraceSeconds: {
    schema: integer(1, 600),
    default: 5,
    help: 'seconds a shutdown waits for clients to finish before cutting their connections',
  },
  // --- files ---
  maxFileBytes: {
    schema: integer(1, Number.MAX_SAFE_INTEGER),
    default: 25 * 1024 * 1024,
    help: 'largest file one upload may be, in bytes (25 MiB by default)',
  },
  fileQuotaBytes: {
    schema: integer(0, Number.MAX_SAFE_INTEGER),
    default: 1024 * 1024 * 1024,
    help: 'bytes of files each user may have stored in all (1 GiB by default; 0 for no limit)',
  },
  fileOrphanHours: {
    schema: integer(1, 24 * 365),
    default: 24,
    help: 'hours an upload may stay unattached to any message before it is removed',
  },
  rateLimitUser: { schema: positiveInt, default: 600, help: 'requests and events per user per minute' },
  rateLimitIp: {
    schema: positiveInt,
    default: 1200,
    help: 'requests and events per client address per minute',
  },
  rateLimitLogin: {
    schema: positiveInt,
    default: 20,
    help: 'password checks per client address and account per minute; sign-ups per address per minute',
  },
  rateLimitLoginAccount: {
    schema: positiveInt,
    default: 30,
    help: 'failed password checks per account per hour, from any address',
  },
  // --- topics (the publish API) ---
  topicAnonymousAccess: {
    schema: TopicPermission,
    default: 'deny',
    help: 'what callers without a token may do with topics no rule covers: read-write, read-only, write-only or deny',
  },
  topicDefaultAccess: {
    schema: TopicPermission,
    default: 'read-write',
    help: 'what signed-in users may do with topics no rule covers (admins may do anything; rules: switchboard-server access)',
  },
} as const;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
export type Config = { [K in SettingName]: z.output<Settings[K]['schema']> } & {
  configFile?: string | undefined;
};
export type ConfigInput = Partial<Record<SettingName, unknown>>;

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** dataDir → SWITCHBOARD_DATA_DIR */
export function envName(name: SettingName): string {
  return `SWITCHBOARD_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** dataDir → --data-dir */
export function flagName(name: SettingName): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export const CONFIG_ENV = 'SWITCHBOARD_CONFIG';

export function readConfigFile(file: string): ConfigInput {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SwitchboardError('bad_request', `cannot read config file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new SwitchboardError(
      'bad_request',
      `config file ${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SwitchboardError('bad_request', `config file ${file} must hold a mapping of setting: value`);
  }
  const unknown = Object.keys(parsed).filter((k) => !SETTING_NAMES.includes(k as SettingName));
  if (unknown.length > 0) {
    throw new SwitchboardError(
      'bad_request',
      `config file ${file} has unknown settings: ${unknown.join(', ')} (known: ${SETTING_NAMES.join(', ')})`,
    );
  }
  return parsed as ConfigInput;
}

export function readEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const known = new Map(SETTING_NAMES.map((n) => [envName(n), n]));
  const input: ConfigInput = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('SWITCHBOARD_') || key === CONFIG_ENV || value === undefined) continue;
    const name = known.get(key);
    if (!name)
      throw new SwitchboardError(
        'bad_request',
        `unknown environment variable ${key} (known: ${[...known.keys()].join(', ')})`,
      );
    input[name] = value;
  }
  return input;
}

/** Merges the sources in precedence order and validates every value, naming where a bad one came from. */
export function resolveConfig(sources: {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  flags?: ConfigInput;
}): Config {
  const layers: [string, ConfigInput][] = [];
  const configFile = sources.file ?? sources.env?.[CONFIG_ENV];
  if (configFile) layers.push([`config file ${configFile}`, readConfigFile(configFile)]);
  if (sources.env) layers.push(['environment', readEnv(sources.env)]);
  if (sources.flags) layers.push(['command line', sources.flags]);

  const config: Record<string, unknown> = { configFile };
  for (const name of SETTING_NAMES) {
    const setting = SETTINGS[name];
    let value: unknown = setting.default;
    let origin = 'default';
    for (const [where, layer] of layers) {
      if (layer[name] !== undefined) {
        value = layer[name];
        origin =
          where === 'environment'
            ? envName(name)
            : where === 'command line'
              ? flagName(name)
              : `${where} (${name})`;
      }
    }
    const parsed = setting.schema.safeParse(value);
    if (!parsed.success) {
      // Error output ends up in logs and terminals: never echo a password from a URL.
      const shown = masked(name, value);
      throw new SwitchboardError(
        'validation_failed',
        `${origin}: invalid value ${JSON.stringify(shown)} — ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    config[name] = parsed.data;
  }
  return config as Config;
}

/** The effective configuration for display: secrets inside URLs are masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  if (config.configFile) shown.configFile = path.resolve(config.configFile);
  for (const name of SETTING_NAMES) {
    const value = config[name];
    shown[name] = masked(name, value);
  }
  return shown;
}

/** A secret as it may be shown: a URL with its password masked, any other secret as `***`. */
function masked(name: SettingName, value: unknown): unknown {
  const setting = SETTINGS[name];
  if (!('secret' in setting) || typeof value !== 'string') return value;
  return setting.secret === 'url' ? maskUrl(value) : '***';
}

function maskUrl(value: string): string {
  return value.replace(/\/\/([^:/@]*):([^@/]*)@/, '//$1:***@').replace(/([?&]password=)[^&]*/gi, '$1***');
}
