// Bundles the server into dist/cli.js: our workspace code (protocol) is inlined so the packed
// package stands alone; npm dependencies stay external and are installed by npm.
import { build } from 'esbuild';
import fs from 'node:fs';

const pkg = JSON.parse(fs.readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Stack traces keep file and line; the published package does not carry our sources twice.
  sourcesContent: false,
  external: Object.keys(pkg.dependencies),
  define: { __SWITCHBOARD_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
