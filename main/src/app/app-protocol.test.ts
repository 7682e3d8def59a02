import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appProtocolHandler, pagePolicy, resolveAppFile } from './app-protocol.ts';

/** As the Vite build writes it: quotes escaped. */
const META = `<meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; img-src &#39;self&#39; data:">`;
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-renderer-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(
    path.join(root, 'index.html'),
    `<!doctype html><head>${META}<title>Switchboard</title></head>`,
  );
  fs.writeFileSync(path.join(root, 'assets/index-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(root, '..', 'outside-secret.txt'), 'secret');
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(path.join(root, '..', 'outside-secret.txt'), { force: true });
});

describe('app:// protocol', () => {
  it('takes the built page’s own policy, and gives a page without one nothing', () => {
    expect(pagePolicy(`<head>${META}</head>`)).toBe(CONTENT_SECURITY_POLICY);
    expect(pagePolicy('<head></head>')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('serves the built renderer with the web build’s CSP', async () => {
    const handler = appProtocolHandler(root);
    const page = await handler(new Request('app://switchboard/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('<title>Switchboard</title>');
    const script = await handler(new Request('app://switchboard/assets/index-abc.js?v=1'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('serves nothing outside the renderer folder, and nothing for other hosts', async () => {
    for (const url of [
      'app://switchboard/../outside-secret.txt',
      'app://switchboard/%2e%2e/outside-secret.txt',
      'app://switchboard/assets/..%2f..%2foutside-secret.txt',
      'app://switchboard/%00index.html',
      'app://other/index.html',
      'file:///etc/passwd',
    ]) {
      const file = resolveAppFile(url, root);
      expect(file === null || file.startsWith(root + path.sep), url).toBe(true);
    }
    const handler = appProtocolHandler(root);
    for (const url of [
      'app://switchboard/assets/..%2f..%2foutside-secret.txt',
      'app://switchboard/missing.js',
      'app://other/index.html',
    ]) {
      const response = await handler(new Request(url));
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
    expect(
      (await handler(new Request('app://switchboard/index.html', { method: 'POST', body: 'x' }))).status,
    ).toBe(404);
  });
});
