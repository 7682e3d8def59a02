import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleLogger } from './log.ts';

describe('consoleLogger', () => {
  afterEach(() => vi.restoreAllMocks());

  it('sends warnings and errors to the console, marked as the session’s, with their details', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    consoleLogger.warn('dropped an invalid event', { event: 'stream.event' });
    consoleLogger.error('could not write the outbox');
    expect(warn).toHaveBeenCalledWith('switchboard session: dropped an invalid event', {
      event: 'stream.event',
    });
    expect(error).toHaveBeenCalledWith('switchboard session: could not write the outbox', {});
  });
});
