import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { recommendBump, rollChangelog, unreleasedOf } from './changelog.mjs';

const changelog = (unreleased: string) => `# Changelog\n\nintro\n\n## Unreleased\n${unreleased}\n## 0.1.0 (2026-01-01)\n\n- first\n`;

describe('release changelogs', () => {
  it('reads the Unreleased section up to the next version', () => {
    expect(unreleasedOf(changelog('\n### Fixed\n\n- a fix\n'))).toBe('### Fixed\n\n- a fix');
    expect(unreleasedOf('# Changelog\n\n## Unreleased\n')).toBe('');
    expect(unreleasedOf('# Changelog\n')).toBeNull();
  });

  it('recommends the bump from the headings, conventional-commit style (pre-1.0: breaking → minor)', () => {
    expect(recommendBump('0.1.0', ['### Fixed\n\n- x'])).toBe('patch');
    expect(recommendBump('0.1.0', ['### Added\n\n- x'])).toBe('patch');
    expect(recommendBump('0.1.0', ['### Changed\n\n- **Breaking**: x'])).toBe('minor');
    expect(recommendBump('1.2.0', ['### Fixed\n\n- x', '#### Added\n\n- y'])).toBe('minor');
    expect(recommendBump('1.2.0', ['### Removed\n\n- x'])).toBe('major');
    expect(recommendBump('1.2.0', ['', null])).toBeNull();
  });

  it('moves the Unreleased entries under the new version, leaving Unreleased empty', () => {
    const rolled = rollChangelog(changelog('\n### Fixed\n\n- a fix\n'), '0.1.1', '2026-12-06');
    expect(rolled).toBe('# Changelog\n\nintro\n\n## Unreleased\n\n## 0.1.1 (2026-12-06)\n\n### Fixed\n\n- a fix\n\n## 0.1.0 (2026-01-01)\n\n- first\n');
    expect(unreleasedOf(rolled)).toBe('');
    expect(() => rollChangelog('# Changelog\n', '1.0.0', '2026-12-06')).toThrow('Unreleased');
  });

  it('every published package has a CHANGELOG with an Unreleased section', async () => {
    for (const dir of ['core', 'adapters/node', 'adapters/express', 'adapters/koa', 'adapters/hono', 'jwt', 'hashers', 'stores/redis', 'conformance-tests']) {
      const text = await readFile(new URL(`../../${dir}/CHANGELOG.md`, import.meta.url), 'utf8');
      expect(unreleasedOf(text), `${dir}/CHANGELOG.md`).not.toBeNull();
    }
  });
});
