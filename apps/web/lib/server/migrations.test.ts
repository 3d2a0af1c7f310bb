// The dashboard's schema migrations: fresh databases migrate, reopening changes nothing, databases
// made by the hand-written DDL of older dashboards are adopted with their data, later migrations
// apply on top, and the committed migrations match schema/*.ts (drizzle-kit generates nothing new).
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { openStore } from './db';
import { findMigrationsDir } from './migrations-dir';
import { startPostgres, type TestPostgres } from '../../test/e2e/postgres';
import sqliteKitConfig from '../../drizzle.sqlite.config';
import pgKitConfig from '../../drizzle.pg.config';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const committed = path.join(webDir, 'drizzle');
const journal = (dialect: 'sqlite' | 'pg') => readMigrationFiles({ migrationsFolder: path.join(committed, dialect) });

// The DDL dashboards ran at every start before migrations existed (lib/server/db.ts until then),
// copied here as it was so the fixture cannot follow later edits.
const OLD_SQLITE_DDL = `
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (id_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, user_id INTEGER,
  username TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hosts (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, url TEXT NOT NULL,
  token TEXT NOT NULL, fingerprint TEXT, created_at TEXT NOT NULL);
`;
const OLD_PG_DDL = `
CREATE TABLE IF NOT EXISTS users (id SERIAL PRIMARY KEY, username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (id_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS audit_log (id SERIAL PRIMARY KEY, time TEXT NOT NULL, user_id INTEGER,
  username TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hosts (id SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, url TEXT NOT NULL,
  token TEXT NOT NULL, fingerprint TEXT, created_at TEXT NOT NULL);
`;
const OLD_USER = { username: 'old-admin', password_hash: 'scrypt$old', role: 'admin', created_at: '2026-11-01T00:00:00.000Z' };

const tmpDirs: string[] = [];
const tmpDir = (what: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `berth-migrations-${what}-`));
  tmpDirs.push(d);
  return d;
};
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A copy of the committed migrations plus a 0001 that adds users.note, dated after 0000. */
function withLaterMigration(dialect: 'sqlite' | 'pg'): string {
  const root = tmpDir('later');
  fs.cpSync(path.join(committed, dialect), path.join(root, dialect), { recursive: true });
  const file = path.join(root, dialect, 'meta', '_journal.json');
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  const last = j.entries.at(-1);
  j.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1, tag: '9999_test_note' });
  fs.writeFileSync(file, JSON.stringify(j));
  fs.writeFileSync(path.join(root, dialect, '9999_test_note.sql'), 'ALTER TABLE users ADD COLUMN note text;');
  return root;
}

// ---- where the migrations are found --------------------------------------------------------

describe('findMigrationsDir', () => {
  const fakeRoot = (base: string, ...parts: string[]) => {
    const root = path.join(base, ...parts);
    fs.mkdirSync(path.join(root, 'sqlite', 'meta'), { recursive: true });
    fs.writeFileSync(path.join(root, 'sqlite', 'meta', '_journal.json'), '{"entries":[]}');
    return root;
  };

  test('BERTH_WEB_MIGRATIONS wins, relative to the working directory, and must hold the dialect', () => {
    const base = tmpDir('find');
    fakeRoot(base, 'custom');
    fakeRoot(base, 'drizzle');
    assert.equal(findMigrationsDir('sqlite', { env: { BERTH_WEB_MIGRATIONS: 'custom' }, cwd: base }), path.join(base, 'custom', 'sqlite'));
    assert.throws(() => findMigrationsDir('pg', { env: { BERTH_WEB_MIGRATIONS: 'custom' }, cwd: base }), /BERTH_WEB_MIGRATIONS=custom: no pg\/meta\/_journal.json/);
  });

  test('the app directory, then the repository root, then the module’s own place', () => {
    const app = tmpDir('find');
    fakeRoot(app, 'drizzle');
    fakeRoot(app, 'apps', 'web', 'drizzle');
    assert.equal(findMigrationsDir('sqlite', { env: {}, cwd: app }), path.join(app, 'drizzle', 'sqlite'));
    const repo = tmpDir('find');
    fakeRoot(repo, 'apps', 'web', 'drizzle');
    assert.equal(findMigrationsDir('sqlite', { env: {}, cwd: repo }), path.join(repo, 'apps', 'web', 'drizzle', 'sqlite'));
    const elsewhere = tmpDir('find');
    const moduleUrl = pathToFileURL(path.join(repo, 'apps', 'web', 'lib', 'server', 'db.ts')).href;
    assert.equal(findMigrationsDir('sqlite', { env: {}, cwd: elsewhere, moduleUrl }), path.join(repo, 'apps', 'web', 'drizzle', 'sqlite'));
    // a bundled module's URL is not a file: URL and is ignored; what was tried is named
    assert.throws(() => findMigrationsDir('sqlite', { env: {}, cwd: elsewhere, moduleUrl: 'webpack-internal:///x' }), (e: Error) =>
      e.message.includes(path.join(elsewhere, 'drizzle')) && e.message.includes('BERTH_WEB_MIGRATIONS'));
  });

  test('the committed migrations are found from this checkout', () => {
    assert.equal(findMigrationsDir('sqlite', { env: {}, cwd: webDir }), path.join(committed, 'sqlite'));
    assert.equal(findMigrationsDir('pg', { env: {}, cwd: path.resolve(webDir, '../..') }), path.join(committed, 'pg'));
  });
});

// ---- SQLite ----------------------------------------------------------------------------------

/** Tables, columns and named indexes (not the unnamed autoindexes of inline UNIQUEs). */
function sqliteShape(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '__drizzle_migrations' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
    return Object.fromEntries(tables.map((t) => {
      const cols = (db.pragma(`table_info(${t})`) as { name: string; type: string; notnull: number; pk: number }[])
        .map((c) => `${c.name} ${c.type.toLowerCase()}${c.notnull || c.pk ? ' not null' : ''}${c.pk ? ' pk' : ''}`);
      const idx = (db.pragma(`index_list(${t})`) as { name: string; unique: number }[])
        .filter((i) => !i.name.startsWith('sqlite_autoindex_'))
        .map((i) => `${i.unique ? 'unique ' : ''}${i.name}(${(db.pragma(`index_info(${i.name})`) as { name: string }[]).map((c) => c.name).join(',')})`)
        .sort();
      return [t, { cols, idx }];
    }));
  } finally {
    db.close();
  }
}

function sqliteMigrations(file: string): { hash: string; created_at: number }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT hash, created_at FROM __drizzle_migrations ORDER BY created_at').all() as { hash: string; created_at: number }[];
  } finally {
    db.close();
  }
}

function oldSqliteDatabase(ddl = OLD_SQLITE_DDL): string {
  const file = path.join(tmpDir('sqlite'), 'web.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(ddl);
  db.prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (@username, @password_hash, @role, @created_at)').run(OLD_USER);
  db.close();
  return file;
}

describe('SQLite migrations', () => {
  const expected = journal('sqlite').map((m) => ({ hash: m.hash, created_at: m.folderMillis }));

  test('a fresh database gets every committed migration, and reopening it changes nothing', async () => {
    const file = path.join(tmpDir('sqlite'), 'web.db');
    const s = await openStore({ sqlitePath: file });
    const u = await s.createUser({ username: 'alice', passwordHash: 'h', role: 'viewer' });
    await s.createSession({ idHash: 'sess-1', userId: u.id, expiresAt: '2999-01-01' });
    await s.addHost({ name: 'h1', url: 'http://127.0.0.1:1', token: 't', fingerprint: null });
    await s.close();
    assert.deepEqual(sqliteMigrations(file), expected);
    const shape = sqliteShape(file);
    assert.deepEqual(Object.keys(shape), ['audit_log', 'hosts', 'sessions', 'users']);

    const again = await openStore({ sqlitePath: file });
    assert.equal((await again.sessionUser('sess-1', '2000-01-01'))?.username, 'alice');
    await again.close();
    assert.deepEqual(sqliteMigrations(file), expected, 'nothing applied twice');
    assert.deepEqual(sqliteShape(file), shape);
  });

  test('processes opening one new file together all succeed, and it is migrated once', async () => {
    const file = path.join(tmpDir('sqlite'), 'web.db');
    const at = Date.now() + 3000;
    const mod = (f: string) => JSON.stringify(pathToFileURL(path.join(webDir, 'lib/server', f)).href);
    // the slow part (loading modules) first, then all open at one moment
    const script = `const { openStore } = await import(${mod('db.ts')});
      await import('better-sqlite3'); await import('drizzle-orm/better-sqlite3'); await import(${mod('migrate-sqlite.ts')});
      await new Promise((r) => setTimeout(r, ${at} - Date.now()));
      await (await openStore({ sqlitePath: ${JSON.stringify(file)} })).close();`;
    await Promise.all([1, 2, 3].map(() => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: webDir })));
    assert.deepEqual(sqliteMigrations(file), expected);
  });

  test('a database made by the old DDL keeps its users and is baselined at 0000_init', async () => {
    const file = oldSqliteDatabase();
    const s = await openStore({ sqlitePath: file });
    const u = await s.userByName('old-admin');
    assert.equal(u?.role, 'admin');
    assert.equal(u?.passwordHash, 'scrypt$old');
    assert.equal(await s.countUsers(), 1);
    // the store works on it: a second user, a host, an audit line
    await s.createUser({ username: 'new-one', passwordHash: 'h', role: 'viewer' });
    await assert.rejects(s.createUser({ username: 'old-admin', passwordHash: 'h', role: 'viewer' }), /UNIQUE/);
    await s.addHost({ name: 'h1', url: 'http://127.0.0.1:1', token: 't', fingerprint: null });
    await s.addAudit({ time: 't', userId: u!.id, username: 'old-admin', action: 'x', target: 'y', detail: '{}', outcome: 'ok' });
    await s.close();
    assert.deepEqual(sqliteMigrations(file).map((m) => m.hash), [journal('sqlite')[0]!.hash], 'the initial migration is recorded');
    assert.deepEqual(sqliteMigrations(file), expected);

    // same tables, columns and named indexes as a freshly migrated database
    const fresh = path.join(tmpDir('sqlite'), 'web.db');
    await (await openStore({ sqlitePath: fresh })).close();
    assert.deepEqual(sqliteShape(file), sqliteShape(fresh));

    // reopening it is a no-op
    await (await openStore({ sqlitePath: file })).close();
    assert.deepEqual(sqliteMigrations(file), expected);
  });

  test('later migrations apply on a baselined database, and on a fresh one', async () => {
    const later = withLaterMigration('sqlite');
    for (const file of [oldSqliteDatabase(), path.join(tmpDir('sqlite'), 'web.db')]) {
      await (await openStore({ sqlitePath: file, migrationsDir: later })).close();
      assert.equal(sqliteMigrations(file).length, expected.length + 1);
      const db = new Database(file, { readonly: true });
      assert.ok((db.pragma('table_info(users)') as { name: string }[]).some((c) => c.name === 'note'));
      db.close();
    }
  });

  test('an old database from before the hosts table gets it', async () => {
    const file = oldSqliteDatabase(OLD_SQLITE_DDL.replace(/CREATE TABLE IF NOT EXISTS hosts[^;]*;/, ''));
    const s = await openStore({ sqlitePath: file });
    assert.deepEqual(await s.listHosts(), []);
    assert.equal((await s.userByName('old-admin'))?.role, 'admin');
    await s.close();
    assert.deepEqual(sqliteMigrations(file), expected);
  });

  test('a users table that is not the old one is refused and left as it was', async () => {
    const file = path.join(tmpDir('sqlite'), 'web.db');
    const db = new Database(file);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)');
    db.close();
    await assert.rejects(openStore({ sqlitePath: file }), /cannot adopt the existing dashboard database: table users has \(email text, id integer not null\)/);
    const after = new Database(file, { readonly: true });
    const tables = after.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all();
    after.close();
    assert.deepEqual(tables, [{ name: 'users' }], 'the baseline rolled back');
  });
});

// ---- PostgreSQL ------------------------------------------------------------------------------

describe('PostgreSQL migrations', () => {
  let server: TestPostgres;
  const expected = journal('pg').map((m) => ({ hash: m.hash, created_at: String(m.folderMillis) }));
  const query = async <T extends pg.QueryResultRow>(text: string): Promise<T[]> => {
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    try {
      return (await c.query<T>(text)).rows;
    } finally {
      await c.end();
    }
  };
  const migrations = () => query<{ hash: string; created_at: string }>('SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY created_at');
  const shape = async () => ({
    columns: await query(`SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
      WHERE table_schema = current_schema() ORDER BY table_name, column_name`),
    constraints: await query(`SELECT conrelid::regclass::text AS t, conname, contype FROM pg_constraint
      WHERE connamespace = current_schema()::regnamespace ORDER BY conname`),
    indexes: await query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`),
  });

  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await server?.dispose();
  });
  // each test starts from an empty database
  beforeEach(async () => {
    await query('DROP TABLE IF EXISTS users, sessions, audit_log, hosts; DROP SCHEMA IF EXISTS drizzle CASCADE');
  });
  const open = (migrationsDir?: string) => openStore({ databaseUrl: server.url, sqlitePath: '', migrationsDir });

  test('a fresh database gets every committed migration, and reopening it changes nothing', async () => {
    const s = await open();
    const u = await s.createUser({ username: 'alice', passwordHash: 'h', role: 'viewer' });
    await s.createSession({ idHash: 'sess-1', userId: u.id, expiresAt: '2999-01-01' });
    await s.close();
    assert.deepEqual(await migrations(), expected);
    const before = await shape();
    assert.deepEqual([...new Set(before.columns.map((c) => c.table_name))], ['audit_log', 'hosts', 'sessions', 'users']);
    const again = await open();
    assert.equal((await again.sessionUser('sess-1', '2000-01-01'))?.username, 'alice');
    await again.close();
    assert.deepEqual(await migrations(), expected, 'nothing applied twice');
    assert.deepEqual(await shape(), before);
  });

  test('dashboards starting together migrate once', async () => {
    const stores = await Promise.all([open(), open(), open()]);
    await Promise.all(stores.map((s) => s.close()));
    assert.deepEqual(await migrations(), expected);
  });

  test('a database made by the old DDL keeps its users, is baselined at 0000_init, and takes later migrations', async () => {
    const fresh = await (async () => {
      await (await open()).close();
      const s = await shape();
      await query('DROP TABLE IF EXISTS users, sessions, audit_log, hosts; DROP SCHEMA IF EXISTS drizzle CASCADE');
      return s;
    })();
    await query(OLD_PG_DDL);
    await query(`INSERT INTO users (username, password_hash, role, created_at) VALUES ('${OLD_USER.username}', '${OLD_USER.password_hash}', '${OLD_USER.role}', '${OLD_USER.created_at}')`);
    const s = await open();
    assert.equal((await s.userByName('old-admin'))?.passwordHash, 'scrypt$old');
    const second = await s.createUser({ username: 'new-one', passwordHash: 'h', role: 'viewer' });
    assert.equal(second.id, 2, 'the old sequence carries on');
    await s.close();
    assert.deepEqual((await migrations()).map((m) => m.hash), [journal('pg')[0]!.hash]);
    assert.deepEqual(await migrations(), expected);
    assert.deepEqual(await shape(), fresh, 'the same tables, columns, constraints and indexes as a fresh database');

    await (await open(withLaterMigration('pg'))).close();
    assert.equal((await migrations()).length, expected.length + 1);
    assert.equal((await query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'note'`)).length, 1);
    assert.equal((await query<{ n: string }>('SELECT count(*) AS n FROM users'))[0]!.n, '2');
  });
});

// ---- the committed migrations match the schema ---------------------------------------------

describe('committed migrations', () => {
  const drizzleKit = path.join(path.dirname(createRequire(import.meta.url).resolve('drizzle-kit')), 'bin.cjs');

  for (const [dialect, cfg] of [['sqlite', sqliteKitConfig], ['pg', pgKitConfig]] as const) {
    test(`drizzle-kit generate finds nothing new for ${dialect} (run \`npm run db:generate -w @berth/web\` and commit drizzle/)`, async () => {
      assert.equal(path.resolve(webDir, cfg.out!), path.join(committed, dialect));
      const work = tmpDir('generate');
      fs.cpSync(path.join(committed, dialect), path.join(work, dialect), { recursive: true });
      const files = (dir: string) => new Map(fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => fs.statSync(path.join(dir, f)).isFile())
        .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
      // drizzle-kit mangles an absolute --out, so it runs in the copy's parent with a relative one
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [drizzleKit, 'generate', '--dialect', cfg.dialect,
        '--schema', path.resolve(webDir, cfg.schema as string), '--out', dialect], { cwd: work, env: { ...process.env, NO_COLOR: '1' } });
      const want = files(path.join(committed, dialect));
      const got = files(path.join(work, dialect));
      const added = [...got.keys()].filter((f) => !want.has(f));
      assert.deepEqual(added, [], `schema/${dialect}.ts changed without a migration; drizzle-kit would add:\n${added.filter((f) => f.endsWith('.sql')).map((f) => got.get(f)).join('\n')}`);
      assert.deepEqual([...want.keys()].filter((f) => got.get(f) !== want.get(f)), [], 'drizzle-kit rewrote committed files');
      assert.match(stdout, /No schema changes/, `${stdout}${stderr}`);
    });
  }
});
