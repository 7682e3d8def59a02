import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  decidePermissionCheck,
  decidePermissionRequest,
  guardContents,
  isTrustedSender,
  type GuardedContents,
} from './security.ts';

/** WebContents as far as the rules go: events carry `url` and `preventDefault` (Electron ≥ 25). */
class FakeContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' | 'allow' }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  navigate(url: string): boolean {
    let prevented = false;
    this.emit('will-navigate', { url, preventDefault: () => (prevented = true) }, url, false, true, 1, 1);
    return !prevented;
  }
}

function guarded() {
  const contents = new FakeContents();
  const opened: string[] = [];
  guardContents(contents as unknown as GuardedContents, (url) => void opened.push(url));
  return { contents, opened };
}

describe('navigation and new windows', () => {
  it('stays on the app, and sends web and mail links to the OS', () => {
    const { contents, opened } = guarded();
    expect(contents.navigate('app://switchboard/index.html')).toBe(true);
    expect(contents.navigate('https://example.org/')).toBe(false);
    expect(contents.navigate('file:///etc/passwd')).toBe(false);
    expect(contents.navigate('app://elsewhere/index.html')).toBe(false);
    expect(opened).toEqual(['https://example.org/']);
  });

  it('denies every new window; http, https and mailto open outside, nothing else does', () => {
    const { contents, opened } = guarded();
    for (const url of [
      'https://example.org/a',
      'http://example.org/b',
      'mailto:someone@example.org',
      'file:///C:/Windows/system32/calc.exe',
      'smb://server/share',
      'javascript:alert(1)',
      'app://switchboard/index.html',
      'not a url',
    ])
      expect(contents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.org/a', 'http://example.org/b', 'mailto:someone@example.org']);
  });

  it('refuses to attach a webview', () => {
    const { contents } = guarded();
    let prevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) }, {}, {});
    expect(prevented).toBe(true);
  });
});

describe('permissions', () => {
  it('grants notifications to the app only, and nothing else to anyone', () => {
    expect(decidePermissionRequest('notifications', 'app://switchboard/index.html')).toBe(true);
    expect(decidePermissionRequest('notifications', 'https://evil.example/')).toBe(false);
    expect(decidePermissionRequest('notifications', undefined)).toBe(false);
    for (const permission of [
      'media',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'fullscreen',
      'hid',
      'unknown',
    ])
      expect(decidePermissionRequest(permission, 'app://switchboard/index.html'), permission).toBe(false);
    expect(decidePermissionCheck('notifications', 'app://switchboard')).toBe(true);
    expect(decidePermissionCheck('notifications', 'https://evil.example')).toBe(false);
    expect(decidePermissionCheck('media', 'app://switchboard')).toBe(false);
  });
});

describe('IPC senders', () => {
  it('trusts only the app’s own frame', () => {
    expect(isTrustedSender({ url: 'app://switchboard/index.html' })).toBe(true);
    expect(isTrustedSender({ url: 'app://switchboard/?invite=x#/c/1' })).toBe(true);
    expect(isTrustedSender({ url: 'https://switchboard/' })).toBe(false);
    expect(isTrustedSender({ url: 'app://switchboard.evil.example/' })).toBe(false);
    expect(isTrustedSender({ url: 'about:blank' })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});
