// docs/security.md names the security case ids that test names carry (BAS-06, SES-15, …),
// so a reader of the repository can check what is covered without the catalogue the ids
// come from. This keeps the page and the tests in step, both ways:
// - every case id in a test name is in the page's table, with the files that carry it;
// - every case id the page names is carried by some test;
// - every id of the table is discussed in one of the page's sections on a class of attack.
//
// After tests are added, moved or renamed, regenerate the "tested in" column (and get a
// row to describe for each new id) with:
//   PORTCULLIS_UPDATE_SECURITY_DOC=1 npx vitest run conformance-tests/test/security-doc.test.ts
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOC = join(ROOT, 'docs/security.md');

/** The families of case ids (the page's "Case ids" section lists them with their meaning). */
const FAMILIES = ['BAS', 'BEA', 'TOK', 'CHN', 'CK', 'CSRF', 'DOS', 'GRD', 'JWT', 'LEAK', 'OAU', 'PWD', 'RED', 'SES', 'THR', 'RT', 'STP', 'MD', 'FW', 'WS'];
const CASE_ID = new RegExp(`\\b(?:${FAMILIES.join('|')})-\\d{2}\\b`, 'g');
const ONE_ID = new RegExp(`^(?:${FAMILIES.join('|')})-\\d{2}$`);

/** Titles of `it(…)`, `test(…)`, `describe(…)` (with `.skip`, `.skipIf(x)`, `.each(…)`…). */
const TEST_TITLE = /\b(?:it|test|describe)(?:\s*\.\s*\w+(?:\([^()]*\))?)*\s*\(\s*(['"`])((?:\\.|(?!\1)[\s\S])*?)\1/g;
/** Conformance scenarios and their cases: `title: '…'`, `name: '…'`. */
const SCENARIO_TITLE = /\b(?:name|title)\s*:\s*(['"`])((?:\\.|(?!\1)[\s\S])*?)\1/g;
const SCENARIOS = 'conformance-tests/src/scenarios/';
/** Test cases shared by several test files (`sessionBridgeCases`…). */
const SHARED_CASES = 'test-support/';
const SKIP = new Set(['node_modules', 'dist', '.git', '.wrangler', 'coverage']);

function walk(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith('.ts')) out.push(relative(ROOT, path).split('\\').join('/'));
  }
  return out;
}

/** Case id → the files whose test names carry it. */
function idsInTestNames(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const files = readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.'))
    .flatMap((e) => walk(join(ROOT, e.name), []))
    .filter((f) => f.endsWith('.test.ts') || f.startsWith(SCENARIOS) || f.startsWith(SHARED_CASES));
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const patterns = file.startsWith(SCENARIOS) ? [TEST_TITLE, SCENARIO_TITLE] : [TEST_TITLE];
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) {
        for (const id of match[2]!.match(CASE_ID) ?? []) {
          const set = found.get(id) ?? new Set<string>();
          found.set(id, set.add(file));
        }
      }
    }
  }
  return found;
}

function byId(a: string, b: string): number {
  const [fa, na] = a.split('-') as [string, string];
  const [fb, nb] = b.split('-') as [string, string];
  return fa === fb ? Number(na) - Number(nb) : fa.localeCompare(fb);
}

interface Row {
  readonly id: string;
  readonly meaning: string;
  readonly files: readonly string[];
}

const ROW = /^\| (\S+) \| (.*) \| (.*) \|$/;
const TABLE_START = '<!-- case-table:start -->';
const TABLE_END = '<!-- case-table:end -->';

function splitDoc(doc: string): { before: string; table: string; after: string } {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`docs/security.md has no ${TABLE_START} … ${TABLE_END} block`);
  return { before: doc.slice(0, start + TABLE_START.length), table: doc.slice(start + TABLE_START.length, end), after: doc.slice(end) };
}

function tableRows(table: string): Row[] {
  return table
    .split('\n')
    .map((line) => ROW.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null && ONE_ID.test(m[1]!))
    .map((m) => ({ id: m[1]!, meaning: m[2]!.trim(), files: [...m[3]!.matchAll(/`([^`]+)`/g)].map((f) => f[1]!) }));
}

function renderTable(rows: readonly Row[]): string {
  const lines = rows.map((r) => `| ${r.id} | ${r.meaning} | ${r.files.map((f) => `\`${f}\``).join('<br>')} |`);
  return `\n| id | what the test proves | tested in |\n|---|---|---|\n${lines.join('\n')}\n`;
}

const tested = idsInTestNames();
let doc = readFileSync(DOC, 'utf8');

if (process.env.PORTCULLIS_UPDATE_SECURITY_DOC === '1') {
  const { before, table, after } = splitDoc(doc);
  const meanings = new Map(tableRows(table).map((r) => [r.id, r.meaning]));
  const rows = [...tested.keys()].sort(byId).map((id) => ({ id, meaning: meanings.get(id) ?? 'TODO: describe', files: [...tested.get(id)!].sort() }));
  doc = `${before}${renderTable(rows)}${after}`;
  writeFileSync(DOC, doc);
}

describe('docs/security.md and the case ids in test names', () => {
  const { before, table, after } = splitDoc(doc);
  const rows = tableRows(table);
  const rowOf = new Map(rows.map((r) => [r.id, r]));

  it('finds case ids in test names at all (the extraction works)', () => {
    expect(tested.size).toBeGreaterThan(100);
    expect([...tested.get('BAS-06') ?? []]).toContain('core/src/basic.test.ts');
    expect([...tested.get('SES-15') ?? []]).toContain('conformance-tests/src/scenarios/sessions/fixation.ts');
  });

  it('every case id in a test name has a row, with a meaning', () => {
    const missing = [...tested.keys()].filter((id) => !rowOf.has(id)).sort(byId);
    expect(missing).toEqual([]);
    const undescribed = rows.filter((r) => r.meaning === '' || r.meaning.startsWith('TODO')).map((r) => r.id);
    expect(undescribed).toEqual([]);
  });

  it('every case id the page names is carried by a test name', () => {
    const named = new Set(doc.match(CASE_ID) ?? []);
    const untested = [...named].filter((id) => !tested.has(id)).sort(byId);
    expect(untested).toEqual([]);
  });

  it('each row lists exactly the files whose test names carry its id, once, in order', () => {
    for (const row of rows) expect(row.files, row.id).toEqual([...(tested.get(row.id) ?? [])].sort());
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort(byId));
  });

  it('every id of the table is discussed in a section on a class of attack', () => {
    const prose = new Set(`${before}${after}`.match(CASE_ID) ?? []);
    expect(rows.map((r) => r.id).filter((id) => !prose.has(id))).toEqual([]);
  });
});
