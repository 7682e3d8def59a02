// Main and the session core's utility entry as CommonJS bundles for Electron's Node. The packages
// in the root package.json's `dependencies` stay outside (electron-builder ships them in the asar
// and unpacks native ones); everything else, our workspaces included, is bundled. Then the built
// renderer (server/web, the same files the web build serves) and the tray's images are copied
// beside them.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const pkg = JSON.parse(fs.readFileSync(root('../package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const shipped = Object.keys(pkg.dependencies);
const external = ['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...shipped].map(
  (name) => new RegExp(`^${name.replace(/[/.]/g, '\\$&')}(/.*)?$`),
);

const copyRenderer: Plugin = {
  name: 'switchboard-copy-renderer',
  closeBundle() {
    const web = root('../server/web');
    if (!fs.existsSync(`${web}/index.html`))
      throw new Error('server/web is not built: run "npm run build:web" first');
    fs.rmSync(root('../dist/desktop/renderer'), { recursive: true, force: true });
    fs.cpSync(web, root('../dist/desktop/renderer'), { recursive: true });
  },
};

/**
 * The server the app can run on this computer: the bundled switchboard-server (server/dist/cli.js)
 * and the web client it serves to people on the network, laid out as in its npm package.
 */
const copyServer: Plugin = {
  name: 'switchboard-copy-server',
  closeBundle() {
    const cli = root('../server/dist/cli.js');
    if (!fs.existsSync(cli))
      throw new Error('server/dist/cli.js is not built: run "npm run build:server" first');
    const server = root('../dist/desktop/server');
    fs.rmSync(server, { recursive: true, force: true });
    fs.mkdirSync(`${server}/dist`, { recursive: true });
    fs.copyFileSync(cli, `${server}/dist/cli.js`);
    fs.cpSync(root('../server/web'), `${server}/web`, { recursive: true });
    fs.writeFileSync(`${server}/package.json`, `${JSON.stringify({ type: 'module', private: true })}\n`);
  },
};

/** The tray's and notifications' images (build/make-icons.mjs draws them) go beside main. */
const copyIcons: Plugin = {
  name: 'switchboard-copy-icons',
  closeBundle() {
    const icons = root('../dist/desktop/icons');
    fs.rmSync(icons, { recursive: true, force: true });
    fs.cpSync(root('../build/tray'), icons, { recursive: true });
    fs.copyFileSync(root('../build/icons/256x256.png'), `${icons}/app.png`);
  },
};

export default defineConfig({
  plugins: [copyRenderer, copyIcons, copyServer],
  ssr: { noExternal: true, target: 'node' },
  build: {
    ssr: true,
    outDir: root('../dist/desktop/main'),
    emptyOutDir: true,
    target: 'node22',
    minify: false,
    sourcemap: false,
    rollupOptions: {
      input: {
        index: root('src/index.ts'),
        utility: root('src/utility.ts'),
        'local-server': root('src/local/server-process.ts'),
      },
      external,
      output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
    },
  },
});
