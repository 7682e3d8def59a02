// Compares what a command printed with what the page shows. Values that change from run to run are
// written in the page as a sample of their shape, and match any value of that shape:
//   ids — UUIDs, full or shortened with an ellipsis (01a1fd3e-31ec-…);
//   secrets — sb_…, setup_…, inv_…, reset_… followed by 43 characters;
//   times — 13-digit epoch milliseconds, 10-digit Unix seconds (ntfy's `time`), ISO 8601 times ending in Z;
//   epochs — 16 lowercase hex digits;
// and `…` anywhere else stands for any text. JSON is compared field by field (the same fields, the
// same array lengths, every value matched); text line by line, with runs of spaces and tabs as one.

export interface Mismatch {
  where: string;
  expected: string;
  actual: string;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Each shape: how it is written in a page, and the pattern real values of it follow. */
const SHAPES: { sample: RegExp; pattern: (match: RegExpExecArray) => string }[] = [
  { sample: new RegExp(UUID), pattern: () => UUID },
  { sample: /[0-9a-f]{8}(?:-[0-9a-f]{4}){0,3}-…/, pattern: () => UUID },
  { sample: /\b(sb|setup|inv|reset)_[A-Za-z0-9_-]{43}/, pattern: (m) => `${m[1]}_[A-Za-z0-9_-]{43}` },
  {
    sample: /\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z/,
    pattern: () => '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{3})?Z',
  },
  { sample: /(?<!\d)\d{13}(?!\d)/, pattern: () => '\\d{13}' },
  { sample: /(?<!\d)\d{10}(?!\d)/, pattern: () => '\\d{10}' },
  { sample: /(?<![0-9a-f])[0-9a-f]{16}(?![0-9a-f])/, pattern: () => '[0-9a-f]{16}' },
  { sample: /…/, pattern: () => '.*?' },
];

const cache = new Map<string, RegExp>();

/** The expected text as a regular expression: samples become their shape, the rest is literal. */
export function patternOf(expected: string): RegExp {
  const cached = cache.get(expected);
  if (cached) return cached;
  let source = '';
  let rest = expected;
  for (;;) {
    let first: { at: number; match: RegExpExecArray; shape: (typeof SHAPES)[number] } | undefined;
    for (const shape of SHAPES) {
      const match = shape.sample.exec(rest);
      if (match && (!first || match.index < first.at)) first = { at: match.index, match, shape };
    }
    if (!first) break;
    source += escape(rest.slice(0, first.at)) + first.shape.pattern(first.match);
    rest = rest.slice(first.at + first.match[0].length);
  }
  const pattern = new RegExp(`^${source}${escape(rest)}$`, 's');
  cache.set(expected, pattern);
  return pattern;
}

export function matchesShape(expected: string, actual: string): boolean {
  return patternOf(expected).test(actual);
}

/** Field by field; every difference, each with its JSON path. */
export function compareJson(expected: unknown, actual: unknown, where = '$'): Mismatch[] {
  const differ = (): Mismatch[] => [
    { where, expected: JSON.stringify(expected), actual: JSON.stringify(actual) },
  ];
  if (typeof expected === 'string')
    return typeof actual === 'string' && matchesShape(expected, actual) ? [] : differ();
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return differ();
    const digits = (n: number) => (Number.isInteger(n) && n > 0 ? String(n).length : 0);
    const isTime = (n: number) => digits(n) === 13 || digits(n) === 10;
    return (isTime(expected) ? digits(actual) === digits(expected) : expected === actual) ? [] : differ();
  }
  if (expected === null || typeof expected !== 'object') return expected === actual ? [] : differ();
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return differ();
    if (actual.length !== expected.length)
      return [{ where: `${where}.length`, expected: String(expected.length), actual: String(actual.length) }];
    return expected.flatMap((item, i) => compareJson(item, actual[i], `${where}[${i}]`));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return differ();
  const shown = expected as Record<string, unknown>;
  const got = actual as Record<string, unknown>;
  const mismatches: Mismatch[] = [];
  for (const key of Object.keys(got))
    if (!(key in shown))
      mismatches.push({
        where: `${where}.${key}`,
        expected: '(not in the page)',
        actual: JSON.stringify(got[key]),
      });
  for (const [key, value] of Object.entries(shown)) {
    if (!(key in got))
      mismatches.push({ where: `${where}.${key}`, expected: JSON.stringify(value), actual: '(missing)' });
    else mismatches.push(...compareJson(value, got[key], `${where}.${key}`));
  }
  return mismatches;
}

/** Line by line, ignoring how much horizontal space separates words and trailing blank lines. */
export function compareText(expected: string, actual: string): Mismatch[] {
  const want = lines(expected);
  const got = lines(actual);
  const mismatches: Mismatch[] = [];
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    const w = want[i];
    const g = got[i];
    if (w === undefined || g === undefined || !matchesShape(w, g))
      mismatches.push({ where: `line ${i + 1}`, expected: w ?? '(no line)', actual: g ?? '(no line)' });
  }
  return mismatches;
}

/** One or more JSON values, one after another (as several commands or `jq -c` print them). */
export function parseJsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  for (skipSpace(); i < text.length; skipSpace()) {
    const start = i;
    if (text[i] === '{' || text[i] === '[') {
      let depth = 0;
      let inString = false;
      for (; i < text.length; i++) {
        const c = text[i]!;
        if (inString) {
          if (c === '\\') i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) {
            i++;
            break;
          }
        }
      }
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) i++;
    }
    values.push(JSON.parse(text.slice(start, i)));
  }
  return values;
}

function lines(text: string): string[] {
  const all = text.split('\n').map((line) => line.replace(/[ \t]+/g, ' ').trim());
  while (all.length > 0 && all.at(-1) === '') all.pop();
  return all;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
