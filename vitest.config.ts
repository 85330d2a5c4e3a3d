import ts from 'typescript';
import { defineConfig, type Plugin } from 'vitest/config';

/** Files compiled with NestJS's legacy decorators. */
const LEGACY_DECORATORS = /[\\/](adapters[\\/]nest|examples[\\/]nest-[^\\/]+)[\\/]/;

/**
 * Vite's Oxc transform only knows legacy decorators; Portcullis's `@Requires` is a
 * standard (TC39) decorator. Test files that use decorators are compiled by
 * TypeScript itself, so the tests run exactly what `tsc` emits for users: standard
 * decorators, except under adapters/nest and examples/nest-*, where NestJS needs
 * legacy ones with `emitDecoratorMetadata` (as their tsconfig files say).
 */
function standardDecorators(): Plugin {
  return {
    name: 'portcullis:standard-decorators',
    enforce: 'pre',
    transform(code, id) {
      if (!id.endsWith('.ts') || id.includes('node_modules') || !/^\s*@[A-Z]\w*\(/m.test(code)) return null;
      const out = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          sourceMap: true,
          verbatimModuleSyntax: true,
          // NestJS runs on legacy decorators and their parameter-type metadata.
          ...(LEGACY_DECORATORS.test(id) && { experimentalDecorators: true, emitDecoratorMetadata: true }),
        },
      });
      return { code: out.outputText, map: out.sourceMapText ? JSON.parse(out.sourceMapText) : null };
    },
  };
}

export default defineConfig({
  plugins: [standardDecorators()],
  test: {
    include: [
      'core/src/**/*.test.ts',
      'hashers/src/**/*.test.ts',
      'hashers/test/**/*.test.ts',
      'jwt/src/**/*.test.ts',
      'jwt/test/**/*.test.ts',
      'stores/*/src/**/*.test.ts',
      'stores/*/test/**/*.test.ts',
      'testing/test/**/*.test.ts',
      'adapters/*/test/**/*.test.ts',
      'conformance-tests/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
      'test/**/*.test.ts',
      'docs/test/**/*.test.ts',
      'scripts/**/*.test.ts',
      'consumer/test/**/*.test.ts',
      'tools/release/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
