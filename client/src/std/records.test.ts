// Stored records: versioned, migrated step by step, and an unreadable one logged and dropped on its
// own; a newer app's record is left alone.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryStorage } from '../../../tests/support/memoryStorage.ts';
import { recordingLogger } from '../../../tests/support/session.ts';
import { Records, type RecordKind } from './records.ts';

const Note = z.object({ title: z.string(), pinned: z.boolean() });
const NOTE: RecordKind<z.infer<typeof Note>> = {
  name: 'note',
  version: 2,
  schema: Note,
  migrations: {
    0: (data) => data,
    // Version 2 added `pinned`.
    1: (data) => ({ ...(data as object), pinned: false }),
  },
};

async function setup() {
  const storage = new MemoryStorage();
  const logger = recordingLogger();
  return { storage, logger, notes: new Records(storage, NOTE, logger) };
}

describe('Records', () => {
  it('writes its version beside the data and reads it back', async () => {
    const { storage, notes } = await setup();
    await notes.write('n/1', { title: 'a', pinned: true });
    expect(await storage.get('n/1')).toEqual({ v: 2, data: { title: 'a', pinned: true } });
    expect(await notes.read('n/1')).toEqual({ title: 'a', pinned: true });
    expect(await notes.read('n/missing')).toBeUndefined();
  });

  it('migrates older records, the bare records of before versions included', async () => {
    const { storage, notes, logger } = await setup();
    await storage.set('n/bare', { title: 'from before versions' });
    await storage.set('n/v1', { v: 1, data: { title: 'version 1' } });
    expect(await notes.readAll('n/')).toEqual(
      new Map([
        ['n/bare', { title: 'from before versions', pinned: false }],
        ['n/v1', { title: 'version 1', pinned: false }],
      ]),
    );
    expect(logger.errors).toEqual([]);
  });

  it('drops and logs an unreadable record without touching the others, and leaves a newer one', async () => {
    const { storage, notes, logger } = await setup();
    await notes.write('n/good', { title: 'good', pinned: false });
    await storage.set('n/bad', { v: 2, data: { title: 42 } });
    await storage.set('n/newer', { v: 3, data: { title: 'from the future', colour: 'red' } });
    expect([...(await notes.readAll('n/')).keys()]).toEqual(['n/good']);
    expect(await storage.keys('n/')).toEqual(['n/good', 'n/newer']);
    expect(logger.errors).toEqual(['a stored note could not be read; it was dropped']);
    expect(logger.warnings).toEqual(['a stored note is from a newer version of the app; it was left alone']);
    // Read again (the outbox reloads every few seconds): reported once.
    await notes.readAll('n/');
    expect(logger.warnings).toHaveLength(1);
  });
});
