// First run on a server with no users: the setup form asks for the one-time code the server printed,
// refuses a wrong one, and creates the first admin, who lands in #general, the server's first channel.
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { tempDir, type ServerProcess } from '../support/server.ts';
import { nav, screenshot } from './support/app.ts';
import { seriousViolations } from './support/axe.ts';
import { startServer, stopServer } from './support/servers.ts';

let server: ServerProcess;
let dataDir: string;

test.beforeAll(async () => {
  dataDir = tempDir('switchboard-e2e-setup-');
  server = await startServer(dataDir);
});

test.afterAll(async () => {
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the first admin is created with the setup code the server printed', async ({ browser }) => {
  // Printed just after the "listening" line that spawnServer waits for.
  const setupCode = () => /enter this one-time setup code:\s+(\S+)/.exec(server.output())?.[1];
  await expect.poll(setupCode, { message: 'the server prints a setup code on first start' }).toBeTruthy();
  const code = setupCode();

  const page = await (await browser.newContext()).newPage();
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Create the first admin' })).toBeVisible();
  expect(await seriousViolations(page), 'setup form').toEqual([]);
  await screenshot(page, 'first-admin-setup');

  await page.getByLabel('Setup code').fill('not-the-code');
  await page.getByLabel('Username').fill('root');
  await page.getByLabel('Password', { exact: true }).fill('a-long-admin-password');
  await page.getByLabel('Confirm password').fill('a-long-admin-password');
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('setup code');

  await page.getByLabel('Setup code').fill(code!);
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
  await expect(nav(page)).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'general' })).toBeVisible();
  await expect(page.getByText('This is the very beginning of #general.')).toBeVisible();
  expect(await seriousViolations(page), 'first workspace').toEqual([]);
  await screenshot(page, 'first-workspace');

  await page.context().close();
});
