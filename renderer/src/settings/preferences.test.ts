import { describe, expect, it } from 'vitest';
import { resolvePreferences } from './preferences.ts';

describe('resolvePreferences', () => {
  it('takes what the user saved, and the device’s last look or the defaults for the rest', () => {
    const look = { theme: 'light', language: 'ko' } as const;
    expect(resolvePreferences({}, look)).toEqual({
      theme: 'light',
      language: 'ko',
      notify: 'mentions',
      notifyPreview: true,
      notifySound: true,
    });
    expect(resolvePreferences({ theme: 'dark', notify: 'none', notifyPreview: false }, look)).toEqual({
      theme: 'dark',
      language: 'ko',
      notify: 'none',
      notifyPreview: false,
      notifySound: true,
    });
  });
});
