// Launching the real app with Playwright's Electron support — where an Electron binary exists: a
// developer's machine after `npx install-electron`, or the hosted CI workflow. Where none does
// (Electron 42+ installs without its binary, and these build machines cannot download it), every
// test here is skipped with the reason, which is printed once per run.
import fs from 'node:fs';
import path from 'node:path';
import { _electron, expect, type ElectronApplication, type Page } from '@playwright/test';
import { REPO_ROOT, tempDir } from '../../support/server.ts';
import { e2eEnv, passwordOf } from '../../e2e/support/env.ts';

const ELECTRON_PACKAGE = path.join(REPO_ROOT, 'node_modules/electron');

/** The Electron binary `require('electron')` would use, found without triggering its download. */
export function electronBinary(): { path: string } | { skip: string } {
  const recorded = path.join(ELECTRON_PACKAGE, 'path.txt');
  const relative = fs.existsSync(recorded) ? fs.readFileSync(recorded, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const fallback =
    process.platform === 'win32'
      ? 'electron.exe'
      : process.platform === 'darwin'
        ? 'Electron.app/Contents/MacOS/Electron'
        : 'electron';
  const candidate = override
    ? path.join(override, relative ?? fallback)
    : relative
      ? path.join(ELECTRON_PACKAGE, 'dist', relative)
      : null;
  if (candidate && fs.existsSync(candidate)) return { path: candidate };
  return {
    skip: override
      ? `ELECTRON_OVERRIDE_DIST_PATH=${override} holds no Electron binary (${candidate})`
      : 'no Electron binary: Electron 42+ installs without it and it cannot be downloaded here; run `npx install-electron` or set ELECTRON_OVERRIDE_DIST_PATH (the hosted CI workflow does)',
  };
}

const binary = electronBinary();
export const skipReason = 'skip' in binary ? binary.skip : null;
if (skipReason) console.log(`tests/electron skipped: ${skipReason}`);

export interface Launched {
  app: ElectronApplication;
  window: Page;
  userData: string;
}

/** Starts the built app (`npm run build:desktop` first) with a profile of its own. */
export async function launch(options: { userData?: string; args?: string[] } = {}): Promise<Launched> {
  if ('skip' in binary) throw new Error(binary.skip);
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist/desktop/main/index.cjs')))
    throw new Error('dist/desktop is missing: run "npm run build:desktop" first');
  const userData = options.userData ?? tempDir('switchboard-electron-profile-');
  const app = await _electron.launch({
    executablePath: binary.path,
    args: [REPO_ROOT, ...(options.args ?? [])],
    env: { ...process.env, SWITCHBOARD_USER_DATA: userData, SWITCHBOARD_DISABLE_UPDATES: '1' },
  });
  const window = await app.firstWindow();
  await window.waitForLoadState('domcontentloaded');
  return { app, window, userData };
}

/** First run against the test server: choose it, then sign in. */
export async function signIn(window: Page, username: string): Promise<void> {
  await window.getByLabel('Server address').fill(e2eEnv().url);
  await window.getByRole('button', { name: 'Continue' }).click();
  await window.getByLabel('Username').fill(username);
  await window.getByLabel('Password').fill(passwordOf(username));
  await window.getByRole('button', { name: 'Sign in' }).click();
  await expect(window.getByRole('navigation', { name: 'Channels' })).toBeVisible();
}
