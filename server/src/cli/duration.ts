import { SwitchboardError } from '@switchboard/protocol';

const UNITS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** "30d", "12h", "90m", "2w", "1y" → milliseconds; "never" → null. */
export function parseDuration(text: string): number | null {
  if (text === 'never') return null;
  const match = /^(\d{1,6})([mhdwy])$/.exec(text);
  if (!match)
    throw new SwitchboardError(
      'validation_failed',
      `"${text}" is not a duration: use e.g. 90m, 12h, 30d, 2w, 1y or never`,
    );
  return Number(match[1]) * UNITS[match[2]!]!;
}
