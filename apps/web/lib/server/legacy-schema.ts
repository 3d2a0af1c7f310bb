// The schema as dashboards made it before migrations existed (hand-written CREATE TABLE IF NOT
// EXISTS at every start). Frozen: never edit it for a schema change — that is a new migration.
// migrate.ts uses it once per such database, to baseline it: finish what that startup would have
// done, check the columns, and record the initial migration (0000_init) as applied.

export const legacyTables = ['users', 'sessions', 'audit_log', 'hosts'] as const;

/** [column, type, not null] per table; primary keys count as not null. */
export const legacyColumns: Record<(typeof legacyTables)[number], [string, 'integer' | 'text', boolean][]> = {
  users: [
    ['id', 'integer', true],
    ['username', 'text', true],
    ['password_hash', 'text', true],
    ['role', 'text', true],
    ['created_at', 'text', true],
  ],
  sessions: [
    ['id_hash', 'text', true],
    ['user_id', 'integer', true],
    ['expires_at', 'text', true],
  ],
  audit_log: [
    ['id', 'integer', true],
    ['time', 'text', true],
    ['user_id', 'integer', false],
    ['username', 'text', true],
    ['action', 'text', true],
    ['target', 'text', true],
    ['detail', 'text', true],
    ['outcome', 'text', true],
  ],
  hosts: [
    ['id', 'integer', true],
    ['name', 'text', true],
    ['url', 'text', true],
    ['token', 'text', true],
    ['fingerprint', 'text', false],
    ['created_at', 'text', true],
  ],
};

// (hosts came later than the other three: a database from before it gets it here)
export const legacySqliteDdl = `
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (id_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, user_id INTEGER,
  username TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hosts (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, url TEXT NOT NULL,
  token TEXT NOT NULL, fingerprint TEXT, created_at TEXT NOT NULL);
`;

/** What 0000_init makes on SQLite that the legacy DDL did not: its unique indexes carry drizzle's
 * names (the legacy inline UNIQUEs are unnamed autoindexes), and a later migration may name them. */
export const sqliteBaselineIndexes = `
CREATE UNIQUE INDEX IF NOT EXISTS users_username_unique ON users (username);
CREATE UNIQUE INDEX IF NOT EXISTS hosts_name_unique ON hosts (name);
`;

export const legacyPgDdl = `
CREATE TABLE IF NOT EXISTS users (id SERIAL PRIMARY KEY, username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (id_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS audit_log (id SERIAL PRIMARY KEY, time TEXT NOT NULL, user_id INTEGER,
  username TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hosts (id SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, url TEXT NOT NULL,
  token TEXT NOT NULL, fingerprint TEXT, created_at TEXT NOT NULL);
`;

/** Throws, naming the table and both column lists, unless `actual` is the legacy table's. */
export function checkLegacyColumns(table: (typeof legacyTables)[number], actual: [string, string, boolean][]): void {
  const show = (cols: [string, string, boolean][]) =>
    cols.map(([name, type, notNull]) => `${name} ${type}${notNull ? ' not null' : ''}`).sort().join(', ');
  const want = show(legacyColumns[table]);
  const got = show(actual.map(([name, type, notNull]) => [name, type.toLowerCase(), notNull]));
  if (got !== want) {
    throw new Error(`cannot adopt the existing dashboard database: table ${table} has (${got}), expected (${want}); it was not made by Berth, or was changed by hand`);
  }
}
