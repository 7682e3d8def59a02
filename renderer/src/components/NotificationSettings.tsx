// Settings → notifications: what notifies (everything, mentions and direct messages, nothing), with
// or without a preview and a sound, keywords, do not disturb, daily quiet hours in the user's time
// zone, and a level or mute per conversation. All of it is kept with the account on the server; the
// session core applies it (client/src/std/notify/rules.ts) on every device, the web client included.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  MAX_CONVERSATION_SETTINGS,
  MAX_NOTIFY_KEYWORDS,
  NOTIFY_LEVELS,
  type ConversationSetting,
  type Preferences,
} from '@switchboard/protocol';
import { dndActive, dndUntil, type DndChoice } from '@switchboard/client/browser';
import { formatTime, sidebarOrder } from '../format.ts';
import { desktopBridge } from '../session/connect.ts';
import { usePreferences } from '../settings/PreferencesProvider.tsx';
import { useUi } from '../state/store.ts';

const notificationsSupported = () => typeof Notification === 'function';
const deviceTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const DEFAULT_QUIET = { from: '22:00', to: '07:00' };
const CONVERSATION_CHOICES = ['default', 'all', 'mentions', 'none', 'muted'] as const;
type ConversationChoice = (typeof CONVERSATION_CHOICES)[number];

/** Keywords as typed: comma-separated, each once (any case), within the server's bounds. */
export function parseKeywords(text: string): string[] {
  const seen = new Set<string>();
  const keywords: string[] = [];
  for (const part of text.split(',')) {
    const keyword = part.trim().slice(0, 64).trim();
    if (!keyword || seen.has(keyword.toLowerCase())) continue;
    seen.add(keyword.toLowerCase());
    keywords.push(keyword);
  }
  return keywords.slice(0, MAX_NOTIFY_KEYWORDS);
}

function choiceOf(setting: ConversationSetting | undefined): ConversationChoice {
  if (setting?.muted) return 'muted';
  return setting?.notify ?? 'default';
}

function settingOf(choice: ConversationChoice): ConversationSetting | null {
  if (choice === 'default') return null;
  return choice === 'muted' ? { muted: true } : { notify: choice };
}

/** `change`: applies and stores preferences, reporting a failure where the dialog shows errors. */
export function NotificationSettings({ change }: { change(changes: Preferences): void }) {
  const { t } = useTranslation();
  const { prefs } = usePreferences();
  const desktop = desktopBridge() !== null;
  const [permission, setPermission] = useState(() =>
    notificationsSupported() ? Notification.permission : 'denied',
  );
  const askPermission = async () => {
    if (notificationsSupported()) setPermission(await Notification.requestPermission());
  };
  const askable = !desktop && prefs.notify !== 'none';

  return (
    <>
      <fieldset className="field choices">
        <legend>{t('settings.notifications')}</legend>
        {NOTIFY_LEVELS.map((level) => (
          <label key={level} className="choice">
            <input
              type="radio"
              name="notify"
              value={level}
              checked={prefs.notify === level}
              onChange={() => {
                change({ notify: level });
                if (!desktop && level !== 'none' && permission === 'default') void askPermission();
              }}
            />
            <span>{t(`settings.notify.${level}`)}</span>
          </label>
        ))}
        <label className="choice">
          <input
            type="checkbox"
            checked={prefs.notifyPreview}
            onChange={(e) => change({ notifyPreview: e.target.checked })}
            disabled={prefs.notify === 'none'}
          />
          <span>{t('settings.notifyPreview')}</span>
        </label>
        <label className="choice">
          <input
            type="checkbox"
            checked={prefs.notifySound}
            onChange={(e) => change({ notifySound: e.target.checked })}
            disabled={prefs.notify === 'none'}
          />
          <span>{t('notifications.sound')}</span>
        </label>
        {askable && permission === 'denied' && <p className="hint">{t('settings.notifyBlocked')}</p>}
        {askable && permission === 'default' && (
          <button type="button" className="button small" onClick={() => void askPermission()}>
            {t('settings.notifyAllow')}
          </button>
        )}
      </fieldset>
      <DoNotDisturbSettings prefs={prefs} change={change} />
      <QuietHoursSettings prefs={prefs} change={change} />
      <KeywordSettings keywords={prefs.keywords ?? []} change={change} />
      <ConversationSettings prefs={prefs} change={change} />
    </>
  );
}

type SectionProps = { prefs: Preferences; change(changes: Preferences): void };

function DoNotDisturbSettings({ prefs, change }: SectionProps) {
  const { t, i18n } = useTranslation();
  // Re-rendered when DND ends by itself, so the status does not go on saying it is on.
  const [now, setNow] = useState(Date.now);
  const until = prefs.dnd?.until;
  useEffect(() => {
    if (typeof until !== 'number' || until <= now) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.min(until - now + 50, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [until, now]);
  const on = dndActive(prefs, now);
  const status = !on
    ? t('notifications.dndOff')
    : until === null || until === undefined
      ? t('notifications.dndIndefinitely')
      : t('notifications.dndUntil', { time: formatTime(until, i18n.language) });
  const choose = (choice: DndChoice) => change({ dnd: { until: dndUntil(choice, Date.now()) } });
  return (
    <fieldset className="field notify-section">
      <legend>{t('notifications.dnd')}</legend>
      <p className="hint" role="status">
        {status}
      </p>
      <div className="button-row">
        <button type="button" className="button small" onClick={() => choose('hour')}>
          {t('notifications.dndHour')}
        </button>
        <button type="button" className="button small" onClick={() => choose('tomorrow')}>
          {t('notifications.dndTomorrow')}
        </button>
        <button type="button" className="button small" onClick={() => choose('off')}>
          {t('notifications.dndForever')}
        </button>
        {on && (
          <button type="button" className="button small" onClick={() => change({ dnd: undefined })}>
            {t('notifications.dndEnd')}
          </button>
        )}
      </div>
    </fieldset>
  );
}

function QuietHoursSettings({ prefs, change }: SectionProps) {
  const { t } = useTranslation();
  const quiet = prefs.quietHours;
  const here = deviceTimeZone();
  const set = (from: string, to: string, timeZone = quiet?.timeZone ?? here) => {
    // An empty window is not one; the inputs hold it until it differs.
    if (from !== to) change({ quietHours: { from, to, timeZone } });
  };
  return (
    <fieldset className="field notify-section">
      <legend>{t('notifications.quietHours')}</legend>
      <label className="choice">
        <input
          type="checkbox"
          checked={quiet !== undefined}
          onChange={(e) =>
            change({ quietHours: e.target.checked ? { ...DEFAULT_QUIET, timeZone: here } : undefined })
          }
        />
        <span>{t('notifications.quietEveryDay')}</span>
      </label>
      {quiet && (
        <>
          <div className="time-range">
            <label>
              <span>{t('notifications.quietFrom')}</span>
              <input
                type="time"
                value={quiet.from}
                required
                onChange={(e) => e.target.value && set(e.target.value, quiet.to)}
              />
            </label>
            <label>
              <span>{t('notifications.quietTo')}</span>
              <input
                type="time"
                value={quiet.to}
                required
                onChange={(e) => e.target.value && set(quiet.from, e.target.value)}
              />
            </label>
          </div>
          <p className="hint">{t('notifications.quietZone', { zone: quiet.timeZone })}</p>
          {quiet.timeZone !== here && (
            <button type="button" className="button small" onClick={() => set(quiet.from, quiet.to, here)}>
              {t('notifications.quietUseHere', { zone: here })}
            </button>
          )}
        </>
      )}
    </fieldset>
  );
}

function KeywordSettings({ keywords, change }: { keywords: string[]; change(changes: Preferences): void }) {
  const { t } = useTranslation();
  const joined = keywords.join(', ');
  const [text, setText] = useState(joined);
  useEffect(() => setText(joined), [joined]);
  const save = () => {
    const next = parseKeywords(text);
    setText(next.join(', '));
    if (next.join('\u0000') !== keywords.join('\u0000'))
      change({ keywords: next.length > 0 ? next : undefined });
  };
  return (
    <div className="field notify-section">
      <label htmlFor="notify-keywords">{t('notifications.keywords')}</label>
      <input
        id="notify-keywords"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={save}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            save();
          }
        }}
        aria-describedby="notify-keywords-hint"
      />
      <p id="notify-keywords-hint" className="hint">
        {t('notifications.keywordsHint')}
      </p>
    </div>
  );
}

function ConversationSettings({ prefs, change }: SectionProps) {
  const { t } = useTranslation();
  const channels = useUi((s) => s.channels);
  const users = useUi((s) => s.users);
  const me = useUi((s) => s.user);
  const ordered = useMemo(() => {
    const { rooms, directs } = sidebarOrder(channels, users, me?.id, t);
    return [...rooms.map((c) => ({ ...c, label: `#${c.label}` })), ...directs];
  }, [channels, users, me?.id, t]);
  if (ordered.length === 0) return null;

  const choose = (channelId: string, choice: ConversationChoice) => {
    // Settings of conversations the user has left go, so the stored set stays within its bound.
    const kept = Object.entries(prefs.conversations ?? {}).filter(
      ([id]) => id !== channelId && channels.some((c) => c.id === id),
    );
    const setting = settingOf(choice);
    const next = Object.fromEntries(setting ? [...kept, [channelId, setting]] : kept);
    if (Object.keys(next).length > MAX_CONVERSATION_SETTINGS) return;
    change({ conversations: Object.keys(next).length > 0 ? next : undefined });
  };

  return (
    <fieldset className="field notify-section">
      <legend>{t('notifications.perConversation')}</legend>
      <ul className="notify-conversations">
        {ordered.map(({ channel, label }) => (
          <li key={channel.id}>
            <label htmlFor={`notify-${channel.id}`}>{label}</label>
            <select
              id={`notify-${channel.id}`}
              value={choiceOf(prefs.conversations?.[channel.id])}
              onChange={(e) => choose(channel.id, e.target.value as ConversationChoice)}
            >
              {CONVERSATION_CHOICES.map((choice) => (
                <option key={choice} value={choice}>
                  {choice === 'default'
                    ? t('notifications.conversationDefault')
                    : choice === 'muted'
                      ? t('notifications.muted')
                      : t(`settings.notify.${choice}`)}
                </option>
              ))}
            </select>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
