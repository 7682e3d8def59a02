// Packaging: electron-builder --dir --linux against a stand-in Electron dist (no Electron binary
// can be had here) must succeed, the asar must hold exactly the built main, utility entry, preload,
// renderer, tray icons and bundled server plus the production dependencies, and the fuses electron-builder.yml asks for must
// be set in the binary. Builds nothing itself: `npm run build` first (npm test does).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import asar from '@electron/asar';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../support/server.ts';

const BUILT = [
  'dist/desktop/icons/trayTemplate.png',
  'dist/desktop/icons/tray-mention-on-dark-24.png',
  'dist/desktop/icons/app.png',
  'dist/desktop/main/index.cjs',
  'dist/desktop/main/utility.cjs',
  'dist/desktop/main/local-server.cjs',
  'dist/desktop/server/dist/cli.js',
  'dist/desktop/server/web/index.html',
  'dist/desktop/preload/index.cjs',
  'dist/desktop/renderer/index.html',
];
/** Electron's fuse wire marker, then wire version 1 and 8 fuses in Electron's default states. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const DEFAULT_FUSES = '10110001';

/** A folder that looks like an unpacked Electron to electron-builder: binary, version, licences. */
function standInElectron(): string {
  const dir = tempDir('switchboard-electron-dist-');
  const version = JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, 'node_modules/electron/package.json'), 'utf8'),
  ).version;
  const binary = Buffer.concat([
    Buffer.from('#!/bin/sh\n# stand-in for the Electron binary (packaging tests)\nexit 0\n# '),
    Buffer.from(FUSE_SENTINEL),
    Buffer.from([1, DEFAULT_FUSES.length]),
    Buffer.from(DEFAULT_FUSES),
    Buffer.from('\n'),
  ]);
  fs.writeFileSync(path.join(dir, 'electron'), binary, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'version'), `v${version}`);
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'MIT');
  fs.writeFileSync(path.join(dir, 'LICENSES.chromium.html'), '<html></html>');
  return dir;
}

type LockPackage = {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  dev?: boolean;
  link?: boolean;
};

/** Names of the installed packages the root's `dependencies` pull in, resolved through package-lock.json as Node would. */
function productionClosure(): Set<string> {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockPackage>;
  };
  const resolve = (name: string, from: string): string | null => {
    let dir = from;
    for (;;) {
      const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (lock.packages[key]) return key;
      if (!dir) return null;
      dir = dir.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '');
    }
  };
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    // Optional packages for other platforms (argon2's prebuilt binaries) are in the lock, not installed.
    if (key && !fs.existsSync(path.join(REPO_ROOT, key))) return;
    const entry = lock.packages[key]!;
    if (key) names.add(key.replace(/^.*node_modules\//, ''));
    const wanted = { ...entry.dependencies, ...entry.optionalDependencies, ...entry.peerDependencies };
    for (const name of Object.keys(wanted)) {
      const found = resolve(name, key);
      if (found) visit(found);
    }
  };
  visit('');
  return names;
}

describe('the packaged app (electron-builder --dir --linux, stand-in Electron)', () => {
  let out: string;
  let dist: string;
  beforeAll(async () => {
    for (const file of BUILT)
      if (!fs.existsSync(path.join(REPO_ROOT, file)))
        throw new Error(`${file} is missing: run "npm run build" first`);
    dist = standInElectron();
    out = tempDir('switchboard-packaged-');
    await promisify(execFile)(
      process.execPath,
      [
        path.join(REPO_ROOT, 'node_modules/electron-builder/cli.js'),
        '--dir',
        '--linux',
        `-c.electronDist=${dist}`,
        '-c.npmRebuild=false',
        `-c.directories.output=${out}`,
      ],
      { cwd: REPO_ROOT, timeout: 240_000, env: { ...process.env, CI: 'true' } },
    );
  }, 300_000);

  it('holds exactly main, the utility entry, preload, renderer, icons and the production dependencies', () => {
    const files = asar.listPackage(path.join(out, 'linux-unpacked/resources/app.asar'), { isPack: false });
    for (const file of BUILT) expect(files).toContain(`/${file}`);
    const own = files.filter((f) => !f.startsWith('/node_modules'));
    const outside = own.filter(
      (f) =>
        !['/package.json', '/dist', '/dist/desktop'].includes(f) &&
        !/^\/dist\/desktop\/(main|preload|renderer|icons|server)(\/|$)/.test(f),
    );
    expect(outside).toEqual([]);
    expect(own.filter((f) => f.endsWith('.map') || f.endsWith('.ts'))).toEqual([]);

    const shipped = new Set(
      files
        .map((f) => /^(?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/@][^/]*)$/.exec(f)?.[1])
        .filter((name): name is string => Boolean(name) && !name!.endsWith('/')),
    );
    expect([...shipped].sort()).toEqual([...productionClosure()].sort());
    for (const dev of [
      'electron',
      'electron-builder',
      'react',
      'vite',
      'vitest',
      'typescript',
      'switchboard-server',
      '@switchboard/client',
    ])
      expect(shipped.has(dev), dev).toBe(false);
  });

  it('ships what the bundled server needs: its dependencies, and native modules outside the asar', () => {
    const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    const server = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'server/package.json'), 'utf8'));
    for (const [name, range] of Object.entries(server.dependencies as Record<string, string>))
      if (!name.startsWith('@switchboard/')) expect(root.dependencies[name], name).toBe(range);
    const unpacked = path.join(out, 'linux-unpacked/resources/app.asar.unpacked');
    const natives = fs
      .readdirSync(unpacked, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.node'));
    expect(natives.some((f) => f.includes('better-sqlite3'))).toBe(true);
  });

  it('sets the fuses electron-builder.yml asks for', async () => {
    const binary = fs.readFileSync(path.join(out, 'linux-unpacked/switchboard'));
    const at = binary.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
    const wire = binary.subarray(at + 2, at + 2 + DEFAULT_FUSES.length).toString();
    // RunAsNode off, cookie encryption on, NODE_OPTIONS off, --inspect off, asar integrity on,
    // only load the app from the asar, V8 snapshot untouched, no extra file:// privileges.
    expect(wire).toBe('01001100');
  });

  it('starts Electron at the built main (package.json inside the asar)', () => {
    const unpacked = path.join(out, 'linux-unpacked');
    const pkg = JSON.parse(
      asar.extractFile(path.join(unpacked, 'resources/app.asar'), 'package.json').toString(),
    );
    expect(pkg.main).toBe('dist/desktop/main/index.cjs');
  });
});
