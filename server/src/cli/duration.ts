import { SwitchboardError } from '@switchboard/protocol';

const UNITS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
/** Far beyond any sensible lifetime, and well inside what a Date can hold. */
const LONGEST_MS = 100 * UNITS.y!;

/** "30d", "12h", "90m", "2w", "1y" → milliseconds; "never" → null. Zero is not a lifetime. */
export function parseDuration(text: string): number | null {
  if (text === 'never') return null;
  const match = /^(\d{1,6})([mhdwy])$/.exec(text);
  if (!match)
    throw new SwitchboardError(
      'validation_failed',
      `"${text}" is not a duration: use e.g. 90m, 12h, 30d, 2w, 1y or never`,
    );
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  if (ms === 0)
    throw new SwitchboardError(
      'validation_failed',
      `"${text}" is no time at all: use e.g. 90m, 30d or never`,
    );
  if (ms > LONGEST_MS)
    throw new SwitchboardError('validation_failed', `"${text}" is too long: at most 100 years, or never`);
  return ms;
}
