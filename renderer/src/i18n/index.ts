// English and Korean, complete: `ko` is typed against `en`, so a missing key fails the typecheck.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Language } from '../settings/preferences.ts';
import { en } from './en.ts';
import { ko } from './ko.ts';

export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ko: '한국어' };

export async function initI18n(language: Language): Promise<void> {
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, ko: { translation: ko } },
    lng: language,
    fallbackLng: 'en',
    // React escapes text itself; i18next escaping would double-escape names like "O'Brien".
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = language;
}

export async function changeLanguage(language: Language): Promise<void> {
  if (i18next.language !== language) await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}
