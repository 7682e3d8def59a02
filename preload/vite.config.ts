// The preload as ONE CommonJS file: a sandboxed preload can require only `electron` (and a few
// Node built-ins Electron provides), never files of its own.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: fileURLToPath(new URL('../dist/desktop/preload', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome140',
    minify: false,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('src/index.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'index.cjs',
    },
    rollupOptions: { external: ['electron'], output: { inlineDynamicImports: true } },
  },
});
