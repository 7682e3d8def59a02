// The Electronegativity gate: its programmatic API over the built main, utility entry, preload and
// renderer (`npm run build` first). Any finding not accepted, with a reason, in
// main/electronegativity-allowlist.json fails the suite, and so does an accepted entry that no
// longer matches anything (the list stays true).
import fs from 'node:fs';
import path from 'node:path';
import run from '@doyensec/electronegativity';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../support/server.ts';

interface Finding {
  id: string;
  file: string;
  sample?: string;
  description: string;
  location?: { line: number };
  severity: { name: string };
}
interface Accepted {
  id: string;
  file: string;
  contains?: string;
  reason: string;
}

const BUILT = path.join(REPO_ROOT, 'dist/desktop');

/**
 * The built files as Electronegativity reads them: it only looks at .js/.html files (not .cjs),
 * and takes the Electron version from a package.json.
 */
function scanInput(): string {
  const dir = tempDir('switchboard-electronegativity-');
  for (const part of ['main', 'preload', 'renderer']) {
    const from = path.join(BUILT, part);
    if (!fs.existsSync(from)) throw new Error(`dist/desktop/${part} is missing: run "npm run build" first`);
    fs.cpSync(from, path.join(dir, part), { recursive: true });
  }
  for (const file of fs.readdirSync(dir, { recursive: true }) as string[])
    if (file.endsWith('.cjs'))
      fs.renameSync(path.join(dir, file), path.join(dir, file.replace(/\.cjs$/, '.js')));
  const electron = JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, 'node_modules/electron/package.json'), 'utf8'),
  ).version;
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'switchboard', devDependencies: { electron } }),
  );
  return dir;
}

const matches = (finding: Finding, entry: Accepted): boolean =>
  finding.id === entry.id &&
  finding.file === entry.file &&
  (entry.contains === undefined || (finding.sample ?? '').includes(entry.contains));

describe('Electronegativity', () => {
  it('finds nothing in the built app beyond what the allowlist accepts, with reasons', async () => {
    const allowlist = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, 'main/electronegativity-allowlist.json'), 'utf8'),
    ) as { accepted: Accepted[] };
    for (const entry of allowlist.accepted) expect(entry.reason.length, entry.id).toBeGreaterThan(20);

    const result = (await run({
      input: scanInput(),
      isRelative: true,
      // This one downloads Electron's release list; the version is checked by the pinned range instead.
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    })) as { issues: Finding[]; errors: unknown[]; atomicChecks: number; globalChecks: number };

    expect(result.errors).toEqual([]);
    expect(result.atomicChecks).toBeGreaterThan(30);
    const unexplained = result.issues
      .filter((finding) => !allowlist.accepted.some((entry) => matches(finding, entry)))
      .map(
        (f) =>
          `${f.id} in ${f.file}:${f.location?.line ?? 0} (${f.severity.name}): ${f.description} — ${(f.sample ?? '').slice(0, 120)}`,
      );
    expect(unexplained).toEqual([]);
    const stale = allowlist.accepted.filter(
      (entry) => !result.issues.some((finding) => matches(finding, entry)),
    );
    expect(stale).toEqual([]);
    // The main process was scanned, not just the page: its navigation and permission checks hold.
    expect(result.issues.some((f) => f.file.startsWith('main/'))).toBe(true);
  }, 240_000);
});
