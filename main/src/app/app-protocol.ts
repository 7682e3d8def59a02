// app://switchboard serves the built renderer (the same files the web build serves) with the same
// strict Content-Security-Policy, instead of loading file:// pages. Only files under the renderer's
// folder can be reached; anything else is a 404.
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './security.ts';

/**
 * The policy the built page declares in its `<meta>` tag (written once, in renderer/vite.config.ts;
 * the server reads it the same way), plus `frame-ancestors 'none'`, which a `<meta>` cannot carry.
 * A page without one gets nothing loaded.
 */
export function pagePolicy(html: string): string {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/i.exec(html)?.[1];
  const policy = content?.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&');
  return [policy ?? "default-src 'none'", "frame-ancestors 'none'"].join('; ');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** The file a request for `url` may read, or null when it is not one of the app's. */
export function resolveAppFile(url: string, rootDir: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = path.resolve(rootDir, relative);
  const root = path.resolve(rootDir);
  return file.startsWith(root + path.sep) ? file : null;
}

/** The protocol.handle handler: a Response for each app:// request. */
export function appProtocolHandler(rootDir: string): (request: Request) => Promise<Response> {
  let page = '';
  try {
    page = fsSync.readFileSync(path.join(rootDir, 'index.html'), 'utf8');
  } catch {
    // No renderer built: every answer is a 404 under the strictest policy.
  }
  const headers = { 'content-security-policy': pagePolicy(page), 'x-content-type-options': 'nosniff' };
  return async (request) => {
    const file = resolveAppFile(request.url, rootDir);
    if (!file || request.method !== 'GET') return new Response('not found', { status: 404, headers });
    try {
      const body = await fs.readFile(file);
      const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      return new Response(body, { status: 200, headers: { ...headers, 'content-type': type } });
    } catch {
      return new Response('not found', { status: 404, headers });
    }
  };
}
