// Preferences stored per user on this device (theme, language, notifications). The last used
// theme and language also apply before anyone signs in. Stored values are validated on the way in:
// anything unreadable falls back to the defaults rather than breaking the app.
import { z } from 'zod';

export const THEMES = ['system', 'light', 'dark'] as const;
export const LANGUAGES = ['en', 'ko'] as const;
export const NOTIFY_LEVELS = ['all', 'mentions', 'none'] as const;

export const Preferences = z.object({
  theme: z.enum(THEMES).catch('system'),
  language: z.enum(LANGUAGES).catch('en'),
  /** Which new messages raise a notification while the app is in the background. */
  notify: z.enum(NOTIFY_LEVELS).catch('mentions'),
  /** Whether a notification shows where the message is, or only that something arrived. */
  notifyPreview: z.boolean().catch(true),
});
export type Preferences = z.infer<typeof Preferences>;
export type Theme = Preferences['theme'];
export type Language = Preferences['language'];

const DEVICE_KEY = 'switchboard.preferences';
const userKey = (userId: string) => `switchboard.preferences.${userId}`;

function browserLanguage(): Language {
  return navigator.languages?.some((l) => l.toLowerCase().startsWith('ko')) ? 'ko' : 'en';
}

function read(key: string): unknown {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

export function loadPreferences(userId: string | null): Preferences {
  const device = read(DEVICE_KEY);
  const own = userId ? read(userKey(userId)) : undefined;
  const fallback = { theme: 'system', language: browserLanguage(), notify: 'mentions', notifyPreview: true };
  const merged = { ...fallback, ...(isObject(device) ? device : {}), ...(isObject(own) ? own : {}) };
  return Preferences.parse(merged);
}

export function savePreferences(userId: string | null, prefs: Preferences): void {
  try {
    const json = JSON.stringify(prefs);
    if (userId) localStorage.setItem(userKey(userId), json);
    localStorage.setItem(DEVICE_KEY, JSON.stringify({ theme: prefs.theme, language: prefs.language }));
  } catch {
    // Storage full or disabled (private mode): the choice still applies for this session.
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const darkQuery = (): MediaQueryList => window.matchMedia('(prefers-color-scheme: dark)');

/** Sets data-theme on the document: the stylesheet keys its colours on it. */
export function applyTheme(theme: Theme): void {
  const dark = theme === 'dark' || (theme === 'system' && darkQuery().matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}
