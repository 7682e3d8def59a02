// Preferences as the UI applies them: what the user saved on the server (through the session core),
// with defaults for what they did not set. The theme and language last shown on this device are also
// kept in localStorage, only so the first paint (before the core answers, or signed out) looks right.
import { z } from 'zod';
import { LANGUAGES, THEMES, type Preferences } from '@switchboard/protocol';
import { NOTIFY_DEFAULTS } from '@switchboard/client/browser';

/** Every key that has an app default filled in; the notification details stay optional. */
export type ResolvedPreferences = Required<
  Pick<Preferences, 'theme' | 'language' | 'notify' | 'notifyPreview' | 'notifySound'>
> &
  Preferences;
export type Theme = ResolvedPreferences['theme'];
export type Language = ResolvedPreferences['language'];

const DEVICE_KEY = 'switchboard.preferences';

/** What this device last showed; anything unreadable in storage falls back rather than breaking the app. */
const DeviceLook = z.object({
  theme: z.enum(THEMES).catch('system'),
  language: z.enum(LANGUAGES).catch(browserLanguage),
});
type DeviceLook = z.infer<typeof DeviceLook>;

function browserLanguage(): Language {
  return navigator.languages?.some((l) => l.toLowerCase().startsWith('ko')) ? 'ko' : 'en';
}

export function deviceLook(): DeviceLook {
  let stored: unknown;
  try {
    stored = JSON.parse(localStorage.getItem(DEVICE_KEY) ?? '{}');
  } catch {
    stored = {};
  }
  return DeviceLook.parse(typeof stored === 'object' && stored !== null ? stored : {});
}

export function rememberDeviceLook(look: DeviceLook): void {
  try {
    localStorage.setItem(DEVICE_KEY, JSON.stringify({ theme: look.theme, language: look.language }));
  } catch {
    // Storage full or disabled (private mode): only the next first paint is affected.
  }
}

/** The user's saved preferences over the defaults (this device's last look for theme and language). */
export function resolvePreferences(saved: Preferences, look: DeviceLook): ResolvedPreferences {
  return { ...look, ...NOTIFY_DEFAULTS, ...saved };
}

export const darkQuery = (): MediaQueryList => window.matchMedia('(prefers-color-scheme: dark)');

/** Sets data-theme on the document: the stylesheet keys its colours on it. */
export function applyTheme(theme: Theme): void {
  const dark = theme === 'dark' || (theme === 'system' && darkQuery().matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}
