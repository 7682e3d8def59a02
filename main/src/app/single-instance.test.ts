import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { claimSingleInstance, type InstanceApp } from './single-instance.ts';

/** Electron's app, as far as the single-instance lock goes. */
class FakeApp extends EventEmitter {
  quitCalled = false;
  constructor(private readonly gotLock: boolean) {
    super();
  }
  requestSingleInstanceLock(): boolean {
    return this.gotLock;
  }
  quit(): void {
    this.quitCalled = true;
  }
}

function claim(gotLock: boolean) {
  const app = new FakeApp(gotLock);
  const focused: number[] = [];
  const links: string[] = [];
  const primary = claimSingleInstance(app as unknown as InstanceApp, {
    focus: () => void focused.push(1),
    openLink: (url) => void links.push(url),
  });
  return { app, primary, focused, links };
}

describe('claimSingleInstance', () => {
  it('a second launch quits at once', () => {
    const { app, primary } = claim(false);
    expect(primary).toBe(false);
    expect(app.quitCalled).toBe(true);
    expect(app.listenerCount('second-instance')).toBe(0);
  });

  it('the first instance comes to the front and takes the second launch’s link', () => {
    const { app, primary, focused, links } = claim(true);
    expect(primary).toBe(true);
    // Electron: (event, argv, workingDirectory, additionalData)
    app.emit(
      'second-instance',
      {},
      ['/usr/bin/switchboard', 'switchboard://open?server=https://a.org&channel=c'],
      '/home/me',
      {},
    );
    expect(focused).toHaveLength(1);
    expect(links).toEqual(['switchboard://open?server=https://a.org&channel=c']);
    app.emit('second-instance', {}, ['/usr/bin/switchboard'], '/home/me', {});
    expect(focused).toHaveLength(2);
    expect(links).toHaveLength(1);
  });

  it('macOS hands links over as open-url, which the app takes instead of the system', () => {
    const { app, links } = claim(true);
    let prevented = false;
    app.emit(
      'open-url',
      { preventDefault: () => (prevented = true) },
      'switchboard://join?server=https://a.org&invite=i',
    );
    expect(prevented).toBe(true);
    expect(links).toEqual(['switchboard://join?server=https://a.org&invite=i']);
  });
});
