// Every shell example in the pages runs, in order, against throwaway servers, and what it prints is
// compared with what the page shows (conventions: README.md in this folder). One terminal per page,
// so examples build on each other as they do for a reader. Skips are marked in the page with a
// reason, printed here and counted.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { REPO_ROOT, SERVER_CLI } from '../support/server.ts';
import { extractExamples, type FileStep } from './extract.ts';
import { listPages } from './pages.ts';
import { LINKED_BIN, PageReader } from './reader.ts';

const EXAMPLE_TIMEOUT_MS = 90_000;
const totals = { run: 0, skipped: 0 };
const lines: string[] = [];

beforeAll(() => {
  for (const [file, fix] of [
    [SERVER_CLI, 'run "npm run build" first'],
    [LINKED_BIN, 'run "npm ci": it links the switchboard-server bin'],
  ] as const)
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: ${fix}`);
  // The pages use these as a reader does; .ci/run installs them.
  for (const tool of ['bash', 'curl', 'jq', 'sqlite3'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      throw new Error(`${tool} is missing: the documentation examples need it (apt-get install ${tool})`);
});

afterAll(() => {
  console.log(
    [`doc examples: ${totals.run} run, ${totals.skipped} skipped (each with its reason)`, ...lines].join(
      '\n',
    ),
  );
});

for (const page of listPages()) {
  const script = extractExamples(fs.readFileSync(path.join(REPO_ROOT, page), 'utf8'), page);
  const examples = script.steps.filter((s) => s.kind === 'example');
  const skipped = examples.filter((e) => e.skip !== undefined);
  totals.run += examples.length - skipped.length;
  totals.skipped += skipped.length;
  const shown = script.shown.map((s) => `${s.lang}:${s.line}`).join(', ');
  lines.push(
    `  ${page}: ${examples.length - skipped.length} run, ${skipped.length} skipped${shown ? `; shown, not run: ${shown}` : ''}`,
    ...skipped.map((e) => `    skipped ${page}:${e.line} — ${e.skip}`),
  );
  if (examples.length === 0) continue;

  describe.sequential(page, () => {
    let reader: PageReader;
    beforeAll(() => {
      reader = new PageReader();
    });
    afterAll(async () => {
      await reader?.close();
    });

    let files: FileStep[] = [];
    for (const step of script.steps) {
      if (step.kind === 'file') {
        files.push(step);
        continue;
      }
      const where = `${page}:${step.line}`;
      const title = `${where} ${step.heading}`;
      if (step.skip !== undefined) {
        it.skip(`${title} — skipped: ${step.skip}`, () => {});
        continue;
      }
      const before = files;
      files = [];
      it(
        title,
        async () => {
          for (const file of before) reader.writeFile(file);
          await reader.run(step, where);
        },
        EXAMPLE_TIMEOUT_MS,
      );
    }
  });
}
