import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '@switchboard/protocol';
import { tempDir } from '../../tests/support/server.ts';
import {
  CONFIG_ENV,
  describeConfig,
  envName,
  flagName,
  readConfigFile,
  readEnv,
  resolveConfig,
  SETTING_NAMES,
  SETTINGS,
} from './config.ts';

const dir = tempDir('switchboard-config-');

function writeFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The SwitchboardError a call throws (fails the test when it does not throw one). */
function errorOf(run: () => unknown): SwitchboardError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(SwitchboardError);
    return err as SwitchboardError;
  }
  throw new Error('expected a SwitchboardError, nothing was thrown');
}

describe('config defaults', () => {
  it('starts with nothing configured', () => {
    const config = resolveConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: './switchboard-data',
      logLevel: 'info',
      durability: 'standard',
      defaultChannel: 'general',
      sessionTtlDays: 30,
      retentionDays: 0,
      trustProxy: false,
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    // Unset: admins choose the registration policy at runtime (closed on a new server).
    expect(config.registration).toBeUndefined();
    expect(config.configFile).toBeUndefined();
    for (const name of SETTING_NAMES) expect(config[name]).toEqual(SETTINGS[name].default);
  });

  it('an empty environment and no flags change nothing', () => {
    expect(resolveConfig({ env: {}, flags: {} })).toEqual(resolveConfig({}));
  });
});

describe('names of env vars and flags', () => {
  it('maps camelCase settings to SWITCHBOARD_SNAKE_CASE and --kebab-case', () => {
    expect(envName('port')).toBe('SWITCHBOARD_PORT');
    expect(envName('dataDir')).toBe('SWITCHBOARD_DATA_DIR');
    expect(envName('maxConnectionsPerUser')).toBe('SWITCHBOARD_MAX_CONNECTIONS_PER_USER');
    expect(flagName('port')).toBe('--port');
    expect(flagName('dataDir')).toBe('--data-dir');
    expect(flagName('maxConnectionsPerUser')).toBe('--max-connections-per-user');
  });

  it('gives every setting a distinct env var and flag', () => {
    expect(new Set(SETTING_NAMES.map(envName)).size).toBe(SETTING_NAMES.length);
    expect(new Set(SETTING_NAMES.map(flagName)).size).toBe(SETTING_NAMES.length);
  });

  it('reads every documented env var back to its setting', () => {
    const env = Object.fromEntries(SETTING_NAMES.map((n) => [envName(n), `value-of-${n}`]));
    expect(readEnv(env)).toEqual(Object.fromEntries(SETTING_NAMES.map((n) => [n, `value-of-${n}`])));
  });
});

describe('precedence: file < environment < flags', () => {
  const file = writeFile(
    'layers.yaml',
    'port: 1001\nregistration: invite\nlogLevel: warn\ndurability: strict\nsessionTtlDays: 7\n',
  );

  it('each layer overrides the ones below it, setting by setting', () => {
    const config = resolveConfig({
      file,
      env: { SWITCHBOARD_PORT: '2002', SWITCHBOARD_REGISTRATION: 'open', SWITCHBOARD_LOG_LEVEL: 'debug' },
      flags: { port: '3003', registration: 'closed' },
    });
    expect(config.port).toBe(3003); // file, env and flag: the flag wins
    expect(config.registration).toBe('closed'); // file, env and flag: the flag wins
    expect(config.logLevel).toBe('debug'); // file and env: the env wins
    expect(config.durability).toBe('strict'); // file only
    expect(config.sessionTtlDays).toBe(7); // file only
    expect(config.retentionDays).toBe(0); // nowhere: the default
    expect(config.configFile).toBe(file);
  });

  it('the environment beats the file when no flag is given', () => {
    const config = resolveConfig({
      file,
      env: { SWITCHBOARD_PORT: '2002', SWITCHBOARD_DURABILITY: 'standard' },
    });
    expect(config.port).toBe(2002);
    expect(config.durability).toBe('standard');
    expect(config.registration).toBe('invite');
  });

  it('SWITCHBOARD_CONFIG picks the file, and an explicit file beats it', () => {
    const other = writeFile('other.json', JSON.stringify({ port: 4004 }));
    const fromEnv = resolveConfig({ env: { [CONFIG_ENV]: file } });
    expect(fromEnv.port).toBe(1001);
    expect(fromEnv.configFile).toBe(file);
    expect(resolveConfig({ file: other, env: { [CONFIG_ENV]: file } }).port).toBe(4004);
  });
});

describe('config files', () => {
  it('reads YAML and JSON with the same meaning', () => {
    const yaml = writeFile(
      'same.yml',
      'port: 9001\ntrustProxy: true\npublicUrl: https://chat.example.org\nmaxMessageLength: 500\n',
    );
    const json = writeFile(
      'same.json',
      JSON.stringify({
        port: 9001,
        trustProxy: true,
        publicUrl: 'https://chat.example.org',
        maxMessageLength: 500,
      }),
    );
    const fromYaml = resolveConfig({ file: yaml });
    const fromJson = resolveConfig({ file: json });
    expect(fromYaml).toMatchObject({
      port: 9001,
      trustProxy: true,
      publicUrl: 'https://chat.example.org',
      maxMessageLength: 500,
    });
    expect({ ...fromJson, configFile: undefined }).toEqual({ ...fromYaml, configFile: undefined });
  });

  it('treats an empty file as no settings', () => {
    expect(readConfigFile(writeFile('empty.yaml', ''))).toEqual({});
    expect(resolveConfig({ file: writeFile('comments.yaml', '# nothing set yet\n') }).port).toBe(8080);
  });

  it('refuses unknown keys, naming the file and the keys', () => {
    const file = writeFile('typo.yaml', 'port: 8081\nprot: 8082\ndata_dir: /tmp/x\n');
    const error = errorOf(() => resolveConfig({ file }));
    expect(error.code).toBe('bad_request');
    expect(error.message).toContain(file);
    expect(error.message).toContain('prot, data_dir');
  });

  it('refuses files that are not a mapping or do not parse', () => {
    for (const [name, text, expected] of [
      ['list.yaml', '- port\n- 8080\n', 'must hold a mapping'],
      ['scalar.json', '8080', 'must hold a mapping'],
      ['broken.json', '{"port": 8080,', 'is not valid JSON'],
      ['broken.yaml', 'port: [8080\n', 'is not valid YAML'],
    ] as const) {
      const file = writeFile(name, text);
      const error = errorOf(() => resolveConfig({ file }));
      expect(error.code).toBe('bad_request');
      expect(error.message).toContain(file);
      expect(error.message).toContain(expected);
    }
  });

  it('names a file that cannot be read', () => {
    const missing = path.join(dir, 'missing.yaml');
    const error = errorOf(() => resolveConfig({ env: { [CONFIG_ENV]: missing } }));
    expect(error.message).toContain(`cannot read config file ${missing}`);
  });
});

describe('validation names where a bad value came from', () => {
  const cases = [
    { setting: 'port', value: '70000' },
    { setting: 'durability', value: 'maybe' },
    { setting: 'sessionTtlDays', value: 'thirty' },
    { setting: 'port', value: '80abc' },
    { setting: 'retentionDays', value: '-1' },
    { setting: 'trustProxy', value: 'yes please' },
    { setting: 'publicUrl', value: 'not a url' },
    { setting: 'logLevel', value: 'loud' },
  ] as const;

  it.each(cases)('$setting = $value from a flag names the flag', ({ setting, value }) => {
    const error = errorOf(() => resolveConfig({ flags: { [setting]: value } }));
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain(`${flagName(setting)}: invalid value ${JSON.stringify(value)}`);
  });

  it.each(cases)('$setting = $value from the environment names the env var', ({ setting, value }) => {
    const error = errorOf(() => resolveConfig({ env: { [envName(setting)]: value } }));
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain(`${envName(setting)}: invalid value ${JSON.stringify(value)}`);
  });

  it.each(cases)('$setting = $value from a file names the file and the key', ({ setting, value }) => {
    const file = writeFile(`bad-${setting}.json`, JSON.stringify({ [setting]: value }));
    const error = errorOf(() => resolveConfig({ file }));
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain(`config file ${file} (${setting}): invalid value`);
  });

  it('names the layer that supplied the bad value, not one it overrode', () => {
    const file = writeFile('good-port.yaml', 'port: 8081\n');
    const error = errorOf(() => resolveConfig({ file, env: { SWITCHBOARD_PORT: '99999' } }));
    expect(error.message).toMatch(/^SWITCHBOARD_PORT: /);
    // A valid flag hides a bad env value entirely: only the effective value is validated.
    expect(resolveConfig({ env: { SWITCHBOARD_PORT: '99999' }, flags: { port: '8082' } }).port).toBe(8082);
  });

  it('an empty or typed-wrong number is an error, never a silent port 0', () => {
    expect(errorOf(() => resolveConfig({ env: { SWITCHBOARD_PORT: '' } })).message).toMatch(
      /^SWITCHBOARD_PORT: invalid value ""/,
    );
    expect(errorOf(() => resolveConfig({ flags: { port: ' ' } })).message).toMatch(/^--port: /);
    const nullPort = writeFile('null-port.yaml', 'port:\n');
    expect(errorOf(() => resolveConfig({ file: nullPort })).message).toContain(
      `config file ${nullPort} (port): invalid value null`,
    );
    const boolPort = writeFile('bool-port.json', '{"port": true}');
    expect(errorOf(() => resolveConfig({ file: boolPort })).message).toContain('(port): invalid value true');
    expect(errorOf(() => resolveConfig({ flags: { maxPayloadBytes: '1.5' } })).message).toMatch(
      /^--max-payload-bytes: /,
    );
  });

  it('accepts numbers and booleans written as text, as env vars and flags carry them', () => {
    const config = resolveConfig({
      env: { SWITCHBOARD_PORT: '0', SWITCHBOARD_TRUST_PROXY: 'true' },
      flags: { retentionDays: '14' },
    });
    expect(config).toMatchObject({ port: 0, trustProxy: true, retentionDays: 14 });
    expect(resolveConfig({ flags: { trustProxy: 'false' } }).trustProxy).toBe(false);
  });

  it('reads trustProxy as all, a hop count, or a list of proxy addresses', () => {
    expect(resolveConfig({ flags: { trustProxy: '2' } }).trustProxy).toBe(2);
    expect(resolveConfig({ flags: { trustProxy: '1' } }).trustProxy).toBe(1);
    // 0 hops is no proxy at all, never the address list ["0"].
    expect(resolveConfig({ flags: { trustProxy: '0' } }).trustProxy).toBe(false);
    expect(resolveConfig({ env: { SWITCHBOARD_TRUST_PROXY: '0' } }).trustProxy).toBe(false);
    expect(resolveConfig({ flags: { trustProxy: '127.0.0.1, 10.0.0.0/8' } }).trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
    ]);
    expect(errorOf(() => resolveConfig({ flags: { trustProxy: 'nginx' } })).message).toMatch(
      /^--trust-proxy: /,
    );
  });

  it('refuses database URLs other than sqlite:, naming the source', () => {
    const error = errorOf(() =>
      resolveConfig({ flags: { databaseUrl: 'postgres://u:secret@db/switchboard' } }),
    );
    expect(error.code).toBe('validation_failed');
    expect(error.message).toMatch(/^--database-url: .*only sqlite: URLs/);
    expect(error.message).toContain('postgres://u:***@db/switchboard');
    expect(error.message).not.toContain('secret');
  });

  it('refuses unknown SWITCHBOARD_* variables by name, and ignores everything else', () => {
    const error = errorOf(() => resolveConfig({ env: { SWITCHBOARD_PROT: '8081' } }));
    expect(error.code).toBe('bad_request');
    expect(error.message).toContain('unknown environment variable SWITCHBOARD_PROT');
    expect(error.message).toContain('SWITCHBOARD_PORT');
    expect(resolveConfig({ env: { PORT: '1', HOME: '/root', SWITCHBOARDX: 'y' } }).port).toBe(8080);
  });

  it('refuses redisUrl clearly from any source', () => {
    const file = writeFile('redis.yaml', 'redisUrl: redis://cache:6379\n');
    for (const sources of [
      { flags: { redisUrl: 'redis://cache:6379' } },
      { env: { SWITCHBOARD_REDIS_URL: 'redis://cache:6379' } },
      { file },
    ]) {
      const error = errorOf(() => resolveConfig(sources));
      expect(error.code).toBe('bad_request');
      expect(error.message).toMatch(/redisUrl .*not supported/);
    }
  });
});

describe('describeConfig', () => {
  it('masks passwords inside databaseUrl and redisUrl and keeps the rest', () => {
    const config = {
      ...resolveConfig({}),
      databaseUrl: 'postgres://app:s3cret-pw@db.internal:5432/chat',
      redisUrl: 'redis://:hunter2@cache:6379/0',
    };
    const shown = describeConfig(config);
    expect(shown.databaseUrl).toBe('postgres://app:***@db.internal:5432/chat');
    expect(shown.redisUrl).toBe('redis://:***@cache:6379/0');
    expect(JSON.stringify(shown)).not.toMatch(/s3cret-pw|hunter2/);
    expect(shown.port).toBe(8080);
  });

  it('leaves URLs without a password alone and shows every setting', () => {
    const config = resolveConfig({ flags: { databaseUrl: 'sqlite:/var/lib/switchboard/chat.db' } });
    const shown = describeConfig(config);
    expect(shown.databaseUrl).toBe('sqlite:/var/lib/switchboard/chat.db');
    for (const name of SETTING_NAMES) expect(shown).toHaveProperty(name);
  });

  it('shows the config file as an absolute path', () => {
    const file = writeFile('shown.yaml', 'port: 8090\n');
    const relative = path.relative(process.cwd(), file);
    expect(describeConfig(resolveConfig({ file: relative })).configFile).toBe(file);
  });
});
