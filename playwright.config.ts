// Browser end-to-end tests: the built web client (server/web) served by the built server
// (server/dist/cli.js), driven in Debian's Chromium, and the desktop renderer with a test preload
// (tests/e2e/desktop.spec.ts). The `electron` project runs the real app (tests/electron) where an
// Electron binary exists and reports itself skipped, with the reason, where none does. Build first:
// `npm run build`.
import { defineConfig } from '@playwright/test';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  outputDir: 'test-results/e2e',
  projects: [
    { name: 'browser', testDir: 'tests/e2e', testIgnore: /desktop\.spec\.ts$/ },
    // The desktop renderer, after the web client's tests: each of its tests starts session cores.
    { name: 'desktop-renderer', testDir: 'tests/e2e', testMatch: /desktop\.spec\.ts$/ },
    { name: 'electron', testDir: 'tests/electron' },
  ],
  globalSetup: './tests/e2e/global-setup.ts',
  // Two cores shared with other work, and tests that stop servers: one at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    // Off so that the injection test proves the renderer itself is inert, not the page's CSP;
    // it also lets the accessibility test inject axe-core.
    bypassCSP: true,
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
