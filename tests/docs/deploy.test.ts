// deploy/ (docs/scaling.md#compose-example) cannot run here: no container engine. What can be checked
// is that its pieces fit together: the compose file parses, every node gets a configuration the
// server accepts with the same database, Redis and shared files folder, and nginx balances exactly
// the nodes, on the port the image listens on.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveConfig } from '../../server/src/config.ts';
import { REPO_ROOT } from '../support/server.ts';

const DEPLOY = path.join(REPO_ROOT, 'deploy');
const read = (name: string) => fs.readFileSync(path.join(DEPLOY, name), 'utf8');

interface Service {
  build?: string;
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: string[] | Record<string, unknown>;
}

/** Compose's `${NAME:?message}` and `${NAME}`, with the values a `.env` file would give. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(:\?[^}]*)?\}/g, (_, name: string) => {
    if (!(name in env)) throw new Error(`compose.yaml needs ${name}`);
    return env[name]!;
  });
}

const compose = parse(interpolate(read('compose.yaml'), { POSTGRES_PASSWORD: 'sample-password' })) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const nodes = Object.entries(services).filter(([, s]) => s.environment?.SWITCHBOARD_DATABASE_URL);
/** The image's settings (ENV lines of the Dockerfile), which the nodes' environment adds to. */
const imageEnv = Object.fromEntries(
  [...read('Dockerfile').matchAll(/\b(SWITCHBOARD_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]),
);

describe('deploy/compose.yaml', () => {
  it('runs at least two nodes built from deploy/Dockerfile, each configured as the server accepts', () => {
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    for (const [, node] of nodes) {
      expect(node.build).toBe('.');
      const config = resolveConfig({ env: { ...imageEnv, ...node.environment } });
      expect(config.databaseUrl).toMatch(/^postgres:\/\//);
      expect(config.redisUrl).toMatch(/^redis:\/\//);
      expect(config.host).toBe('0.0.0.0');
    }
  });

  it('gives every node the same database, Redis, public URL and files volume', () => {
    const [, first] = nodes[0]!;
    for (const [, node] of nodes) {
      expect(node.environment).toEqual(first.environment);
      expect(node.volumes).toEqual(first.volumes);
    }
    const filesMount = `${imageEnv.SWITCHBOARD_DATA_DIR}/files`;
    const shared = first.volumes!.find((v) => v.split(':')[1] === filesMount);
    expect(shared, `a volume mounted at ${filesMount}`).toBeDefined();
    expect(compose.volumes).toHaveProperty(shared!.split(':')[0]!);
  });

  it('points the nodes at the PostgreSQL and Redis services it runs', () => {
    const env = nodes[0]![1].environment!;
    const database = new URL(env.SWITCHBOARD_DATABASE_URL!);
    const postgres = services[database.hostname]!;
    expect(postgres.image).toMatch(/^postgres:/);
    expect(database.username).toBe(postgres.environment!.POSTGRES_USER);
    expect(database.password).toBe(postgres.environment!.POSTGRES_PASSWORD);
    expect(database.pathname).toBe(`/${postgres.environment!.POSTGRES_DB}`);
    expect(services[new URL(env.SWITCHBOARD_REDIS_URL!).hostname]!.image).toMatch(/^redis:/);
  });

  it('names only services that exist, and declares the named volumes it mounts', () => {
    for (const service of Object.values(services)) {
      const deps = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(services).toHaveProperty(dep);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.')) expect(compose.volumes).toHaveProperty(source);
        else expect(fs.existsSync(path.join(DEPLOY, source)), `${source} exists`).toBe(true);
      }
    }
  });
});

describe('deploy/nginx.conf', () => {
  const conf = read('nginx.conf');

  it('balances exactly the nodes, on the port the image listens on', () => {
    const upstream = /upstream (\w+) \{([^}]*)\}/.exec(conf)!;
    const servers = [...upstream[2]!.matchAll(/^\s*server ([\w.-]+):(\d+)/gm)].map((m) => [m[1], m[2]]);
    expect(servers).toEqual(nodes.map(([name]) => [name, imageEnv.SWITCHBOARD_PORT]));
    // Every proxied location goes to that upstream.
    for (const [, target] of conf.matchAll(/proxy_pass (\S+);/g))
      expect(target).toBe(`http://${upstream[1]}`);
  });

  it('passes WebSocket upgrades and keeps idle connections open past the 25 s ping interval', () => {
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    const timeout = /location \/socket\.io\/ \{[^}]*proxy_read_timeout (\d+)s;/.exec(conf);
    expect(Number(timeout?.[1])).toBeGreaterThan(25);
  });

  it('is the file compose mounts into nginx', () => {
    const nginx = Object.values(services).find((s) => s.image?.startsWith('nginx:'))!;
    expect(nginx.volumes).toContain('./nginx.conf:/etc/nginx/conf.d/default.conf:ro');
  });
});
