import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '@switchboard/protocol';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads each unit and never', () => {
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('1y')).toBe(365 * 86_400_000);
    expect(parseDuration('never')).toBeNull();
  });

  it.each(['0m', '0d', '000h', '-1h', '-0d', '1.5d', '1 d', 'd', '', 'soon', '101y', '999999y'])(
    'refuses %j with validation_failed',
    (text) => {
      expect(() => parseDuration(text)).toThrow(
        expect.objectContaining({ name: SwitchboardError.name, code: 'validation_failed' }),
      );
    },
  );
});
