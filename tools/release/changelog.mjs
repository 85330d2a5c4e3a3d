// The release's reading of the CHANGELOGs (Keep a Changelog): what the next version
// is, and moving the "Unreleased" entries under it. No dependencies; tested by
// changelog.test.ts.

const UNRELEASED = /^## Unreleased[^\n]*\n/m;

/** The text of the "## Unreleased" section (without its heading); `null` if there is none. */
export function unreleasedOf(text) {
  const match = UNRELEASED.exec(text);
  if (match === null) return null;
  const rest = text.slice(match.index + match[0].length);
  const next = /^## /m.exec(rest);
  return (next === null ? rest : rest.slice(0, next.index)).trim();
}

/**
 * The bump the "Unreleased" sections call for, as conventional-recommended-bump would
 * from commits: a **Breaking** entry or a "Removed" heading → major (minor before 1.0);
 * "Added" or "Changed" → minor (patch before 1.0); anything else → patch; nothing
 * unreleased → null.
 */
export function recommendBump(version, sections) {
  const texts = sections.filter((s) => s !== null && s.trim() !== '');
  if (texts.length === 0) return null;
  const all = texts.join('\n');
  const breaking = /\*\*Breaking\*\*|^#{3,4} Removed/im.test(all);
  const features = /^#{3,4} (Added|Changed)/im.test(all);
  const preMajor = version.startsWith('0.');
  if (breaking) return preMajor ? 'minor' : 'major';
  if (features) return preMajor ? 'patch' : 'minor';
  return 'patch';
}

/** `text` with its "Unreleased" entries under "## <version> (<date>)" and an empty "Unreleased" above. */
export function rollChangelog(text, version, date) {
  const match = UNRELEASED.exec(text);
  if (match === null) throw new Error('no "## Unreleased" heading');
  const at = match.index + match[0].length;
  return `${text.slice(0, at)}\n## ${version} (${date})\n${text.slice(at).replace(/^\n*/, '\n')}`;
}
