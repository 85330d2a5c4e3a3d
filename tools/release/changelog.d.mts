/** The text of the "## Unreleased" section (without its heading); `null` if there is none. */
export function unreleasedOf(text: string): string | null;
/** The bump the "Unreleased" sections call for; `null` when nothing is unreleased. */
export function recommendBump(version: string, sections: readonly (string | null)[]): 'major' | 'minor' | 'patch' | null;
/** `text` with its "Unreleased" entries under "## <version> (<date>)" and an empty "Unreleased" above. */
export function rollChangelog(text: string, version: string, date: string): string;
