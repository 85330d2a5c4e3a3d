import { hasher } from './hasher.js';
import { LEGACY_USERS } from './legacy-users.js';
import { createLogin } from './login.js';
import { UserTable } from './user-table.js';

/** The algorithm and parameters of a stored hash, for display (never the salt or the hash). */
export function schemeOf(stored: string): string {
  const fields = stored.split('$');
  if (stored.startsWith('$argon2')) return fields.slice(0, 4).join('$');
  if (stored.startsWith('bcrypt_md5$')) return 'bcrypt_md5 (bcrypt over md5)';
  if (/^\$2[aby]\$/.test(stored)) return `bcrypt ${fields.slice(0, 3).join('$')}$`;
  if (stored.startsWith('pbkdf2_')) return `django ${fields.slice(0, 2).join('$')}`;
  if (stored.startsWith('$pbkdf2')) return `passlib ${fields.slice(0, 3).join('$')}`;
  return 'unknown';
}

/**
 * Runs the migration demo on a fresh table: every user first fails to log in (wrong
 * password: nothing changes), then logs in (the hash becomes argon2id), then logs in
 * again (nothing left to do). Returns the table.
 */
export async function runDemo(print: (line: string) => void = console.log): Promise<UserTable> {
  const table = new UserTable(LEGACY_USERS);
  const login = createLogin(table, hasher);
  print('before:');
  for (const row of table.rows()) print(`  ${row.username.padEnd(6)} ${schemeOf(row.passwordHash)}`);
  for (const user of LEGACY_USERS) {
    const wrong = await login(user.username, `${user.password}!`);
    const right = await login(user.username, user.password);
    const again = await login(user.username, user.password);
    print(
      `${user.username.padEnd(6)} wrong password: ok=${wrong.ok}; right password: ok=${right.ok}, upgraded=${right.upgraded}; ` +
        `again: upgraded=${again.upgraded}`,
    );
  }
  print('after:');
  for (const row of table.rows()) print(`  ${row.username.padEnd(6)} ${schemeOf(row.passwordHash)}`);
  return table;
}
