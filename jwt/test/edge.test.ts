import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../tsconfig.json', import.meta.url));

describe('@portcullis/jwt runs on the edge', () => {
  const files = readdirSync(SRC).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

  it('imports only @portcullis/core, jose and its own modules — nothing from Node', () => {
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      // Code only: JSDoc examples may show app code.
      const text = readFileSync(SRC + file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      const specifiers = [...text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g), ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]);
      for (const s of specifiers) expect(['@portcullis/core', '@portcullis/core/adapter', 'jose'].includes(s as string) || (s as string).startsWith('./'), `${file}: ${s}`).toBe(true);
      expect(text, file).not.toMatch(/\b(?:Buffer|process|require)\s*[.(]/);
    }
  });

  it('is compiled without Node types (types: [])', () => {
    const config = JSON.parse(readFileSync(TSCONFIG, 'utf8')) as { compilerOptions: { types?: unknown } };
    expect(config.compilerOptions.types).toEqual([]);
  });

  it('never uses jose’s unsecured or embedded-key verification, nor JWE', () => {
    for (const file of files) {
      const text = readFileSync(SRC + file, 'utf8');
      expect(text, file).not.toMatch(/UnsecuredJWT|EmbeddedJWK|jwtDecrypt|compactDecrypt|decodeJwt\b/);
    }
  });
});
