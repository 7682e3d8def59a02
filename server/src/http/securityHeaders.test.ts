// The Content-Security-Policy header is the page's own policy plus frame-ancestors, whatever page is built.
import { describe, expect, it } from 'vitest';
import { securityHeaders } from './securityHeaders.ts';

const csp = (page: string | undefined) => securityHeaders(page)['Content-Security-Policy'];

describe('security headers', () => {
  it("take the page's meta policy, as the build escapes it, and forbid framing", () => {
    const page = `<head><meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;; img-src &#39;self&#39; data:"></head>`;
    expect(csp(page)).toBe("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
  });

  it('let nothing load when no web client is built, and only forbid framing for a page without a policy', () => {
    expect(csp(undefined)).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(csp('<html><head></head></html>')).toBe("frame-ancestors 'none'");
  });
});
