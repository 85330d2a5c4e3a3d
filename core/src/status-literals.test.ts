import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';

// Every status is chosen in core/src/response.ts (README: "The one status table").
// This scan fails when a numeric HTTP status is used as an answer anywhere else in
// the shipped sources of core, the adapters, jwt, the stores and the hashers.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCANNED = ['core/src', 'adapters', 'jwt/src', 'stores', 'hashers/src'];
/** The table itself. */
const TABLE = 'core/src/response.ts';

/**
 * A three-digit status used as an answer: a `status`/`statusCode` property,
 * assignment or default, `.status(…)`/`.writeHead(…)`/`.sendStatus(…)`, a response
 * helper whose first argument is the status, a comparison of a status with one,
 * or a raw status line. Range checks of a status option (`status < 400`) are
 * validation, not answers, and are not matched.
 */
const STATUS_USE = [
  /\b(?:status|statusCode)\s*(?::|=(?![=>])|\?\?)\s*[1-5]\d\d\b/,
  /\.(?:status|writeHead|sendStatus)\(\s*[1-5]\d\d\b/,
  /\b(?:json|empty|error|text|html|send|reply|respond)\(\s*[1-5]\d\d\s*[,)]/,
  /\b(?:status|statusCode)\s*[!=]==?\s*[1-5]\d\d\b/,
  /\bHTTP\/1\.[01] [1-5]\d\d\b/,
];

/** Comments go: examples in JSDoc show app code, which may write statuses. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

export function statusLiterals(source: string): string[] {
  return withoutComments(source)
    .split('\n')
    .filter((line) => STATUS_USE.some((pattern) => pattern.test(line)))
    .map((line) => line.trim());
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'test' || name === 'bench') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

describe('the one status table', () => {
  it('recognises a status chosen in code, and not other three-digit numbers', () => {
    for (const line of [
      "return { status: 500, headers: {}, body: '' };",
      'ctx.status = 404;',
      'res.statusCode = 401;',
      "res.status(404).setHeader('content-type', 'text/plain');",
      'res.writeHead(503);',
      "return new Response(null, { status: 403 });",
      "return json(200, body, headers);",
      "return error(405, 'invalid_request');",
      'const status = options.status ?? 403;',
      'const effective = status === 401 ? 403 : status;',
      'const lines = [`HTTP/1.1 503 Service Unavailable`];',
    ]) {
      expect(statusLiterals(line), line).toHaveLength(1);
    }
    for (const line of [
      "if (!Number.isInteger(status) || status < 400 || status > 499) throw new ConfigurationError('…');",
      "crypto.subtle.digest('SHA-256', bytes);",
      "['HS256', hmac(256)], ['RS256', rsa(256, false)],",
      'let scratch = new Uint8Array(512);',
      'const MAX_JTI = 256;',
      "url: options.url ?? 'redis://127.0.0.1:6379',",
      ' * if (!user) return res.status(401).json({ error: \'invalid_grant\' });',
      'res.status(response.status);',
    ]) {
      expect(statusLiterals(line === line.trimStart() ? line : `/*${line}*/`), line).toEqual([]);
    }
  });

  it('no status literal outside core/src/response.ts in the sources of core, adapters, jwt, stores and hashers', () => {
    const found: string[] = [];
    for (const dir of SCANNED) {
      for (const file of sources(join(ROOT, dir))) {
        const name = relative(ROOT, file).split('\\').join('/');
        if (name === TABLE) continue;
        for (const line of statusLiterals(readFileSync(file, 'utf8'))) found.push(`${name}: ${line}`);
      }
    }
    expect(found).toEqual([]);
  });
});
