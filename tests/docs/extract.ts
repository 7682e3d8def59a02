// Reads a page's examples out of its markdown (see README.md here for the conventions):
// - a fence tagged sh, bash or shell is a script; console is a transcript of `$ command` lines, each
//   followed by its output;
// - a json or text fence right after a script (nothing but blank lines between) is what it prints;
// - an HTML comment right before a fence, `<!-- doc-test: … -->`, says how to treat it: `skip — reason`,
//   `exit N` (the status it ends with), `file` (write the fence to the file its first line names);
// - every other fence is shown to the reader and not executed.
import MarkdownIt from 'markdown-it';

export interface Expected {
  lang: 'json' | 'text';
  text: string;
  line: number;
}

export interface Command {
  text: string;
  /** What the page shows it prints; undefined when the page shows nothing. */
  expected?: Expected;
}

export interface Example {
  kind: 'example';
  /** 1-based line of the opening fence. */
  line: number;
  /** The section it is in, for test names. */
  heading: string;
  /** A script is one command; a transcript holds one per `$` line. */
  commands: Command[];
  /** A transcript's commands run one by one and may fail; a script stops at its first failure. */
  transcript: boolean;
  exit: number;
  skip?: string;
}

export interface FileStep {
  kind: 'file';
  line: number;
  path: string;
  content: string;
}

/** A fence that is neither run nor compared: a config file or an illustration. */
export interface Shown {
  line: number;
  lang: string;
}

export interface PageScript {
  steps: (Example | FileStep)[];
  shown: Shown[];
}

const SCRIPT_LANGS = new Set(['sh', 'bash', 'shell']);
const OUTPUT_LANGS = new Set(['json', 'text']);
const DIRECTIVE = /^<!--\s*doc-test:\s*([\s\S]*?)\s*-->\s*$/;

type Directive = { skip: string } | { exit: number } | { file: true };

export function extractExamples(markdown: string, page: string): PageScript {
  const tokens = new MarkdownIt({ html: true }).parse(markdown, {});
  const steps: (Example | FileStep)[] = [];
  const shown: Shown[] = [];
  const where = (line: number) => `${page}:${line}`;
  let heading = '';
  let pending: { line: number; directives: Directive[] } | undefined;
  let previous: Example | undefined;

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const line = (token.map?.[0] ?? 0) + 1;
    if (token.type === 'heading_open') heading = tokens[i + 1]!.content;
    if (token.type === 'html_block') {
      const match = DIRECTIVE.exec(token.content.trim());
      if (!match) continue;
      if (pending) throw new Error(`${where(pending.line)}: doc-test comment not followed by a fence`);
      // A skip's reason runs to the end of the comment; other directives are separated by ";".
      const parts = /^skip\b/.test(match[1]!) ? [match[1]!] : match[1]!.split(';');
      pending = { line, directives: parts.map((d) => parseDirective(d.trim(), where(line))) };
      continue;
    }
    if (token.type !== 'fence') {
      if (pending && token.type !== 'html_block')
        throw new Error(`${where(pending.line)}: doc-test comment not followed by a fence`);
      if (token.type !== 'text' && !token.type.endsWith('_close')) previous = undefined;
      continue;
    }

    const lang = token.info.trim().split(/\s+/)[0] ?? '';
    const directives = pending?.directives ?? [];
    pending = undefined;
    const follows = previous;
    previous = undefined;
    if (!lang) throw new Error(`${where(line)}: a fence without a language; tag it (sh, json, text, …)`);

    if (OUTPUT_LANGS.has(lang) && follows && directives.length === 0) {
      const command = follows.commands.at(-1)!;
      command.expected = { lang: lang as Expected['lang'], text: token.content, line };
      continue;
    }
    if (directives.some((d) => 'file' in d)) {
      const first = token.content.split('\n')[0] ?? '';
      const path = /^#\s*(\/\S+)\s*$/.exec(first)?.[1];
      if (!path) throw new Error(`${where(line)}: a file fence starts with "# /absolute/path"`);
      steps.push({ kind: 'file', line, path, content: token.content });
      continue;
    }
    const transcript = lang === 'console';
    if (!SCRIPT_LANGS.has(lang) && !transcript) {
      if (directives.length > 0) throw new Error(`${where(line)}: doc-test comment on a ${lang} fence`);
      shown.push({ line, lang });
      continue;
    }
    const skip = directives.find((d): d is { skip: string } => 'skip' in d)?.skip;
    const exit = directives.find((d): d is { exit: number } => 'exit' in d)?.exit ?? 0;
    const example: Example = {
      kind: 'example',
      line,
      heading,
      commands: transcript ? parseTranscript(token.content, line, where(line)) : [{ text: token.content }],
      transcript,
      exit,
      ...(skip === undefined ? {} : { skip }),
    };
    steps.push(example);
    // A transcript carries its own output; only a script can be followed by one.
    if (!transcript) previous = example;
  }
  if (pending) throw new Error(`${where(pending.line)}: doc-test comment not followed by a fence`);
  return { steps, shown };
}

function parseDirective(text: string, where: string): Directive {
  const skip = /^skip\s*(?:—|–|--|-|:)\s*(\S[\s\S]*)$/.exec(text);
  if (skip) return { skip: skip[1]!.replace(/\s+/g, ' ') };
  const exit = /^exit\s+(\d{1,3})$/.exec(text);
  if (exit) return { exit: Number(exit[1]) };
  if (text === 'file') return { file: true };
  throw new Error(`${where}: unknown doc-test directive "${text}" (skip — reason, exit N, file)`);
}

/** `$ command` lines (continued by a trailing backslash), each followed by the lines it prints. */
function parseTranscript(content: string, fenceLine: number, where: string): Command[] {
  const commands: Command[] = [];
  const lines = content.replace(/\n$/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('$ ')) {
      const last = commands.at(-1);
      if (!last) throw new Error(`${where}: a console fence starts with a "$ " command line`);
      last.expected!.text += `${line}\n`;
      continue;
    }
    const at = fenceLine + i + 1;
    let text = line.slice(2);
    while (text.endsWith('\\') && i + 1 < lines.length) text += `\n${lines[++i]!}`;
    commands.push({ text, expected: { lang: 'text', text: '', line: at } });
  }
  return commands;
}
