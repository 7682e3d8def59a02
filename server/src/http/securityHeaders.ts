// Security headers for every HTTP response: the web client's page and files, the API, errors, and
// Socket.IO's long-polling. Set by hand: five values, fewer than configuring a library's defaults away
// (see docs/decisions.md).

/** With no web client built, no page of this server needs anything loaded. */
const NO_PAGE_POLICY = "default-src 'none'";

/** The Content-Security-Policy a page declares in its `<meta>` tag, if it declares one. */
export function pagePolicy(html: string): string | undefined {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/i.exec(html)?.[1];
  return content?.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&');
}

/**
 * The headers for every response, given the web client's page. The policy is the page's own, written
 * once where the page is built (renderer/vite.config.ts), plus `frame-ancestors 'none'`, which a
 * `<meta>` cannot carry: no site may frame this one.
 */
export function securityHeaders(page: string | undefined): Readonly<Record<string, string>> {
  const policy = page === undefined ? NO_PAGE_POLICY : pagePolicy(page);
  return {
    'Content-Security-Policy': [policy, "frame-ancestors 'none'"].filter(Boolean).join('; '),
    // For browsers that predate frame-ancestors.
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()',
  };
}
