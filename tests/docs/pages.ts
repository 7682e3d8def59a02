// The pages whose examples the suite runs: the two READMEs and every page in docs/, so a new page
// there (desktop.md, scaling.md, publish.md, …) is picked up without a change here.
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/server.ts';

export function listPages(): string[] {
  const docs = fs
    .readdirSync(path.join(REPO_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', 'server/README.md', ...docs];
}
