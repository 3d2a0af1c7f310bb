// Brings a SQLite dashboard database up to the committed migrations (drizzle/sqlite) with
// drizzle's migrator. A database made before migrations existed is baselined first: its tables
// are checked and 0000_init is recorded as applied, so only later migrations run on it.
// Everything here is synchronous, so two opens in one process cannot interleave; another process
// migrating the same file at the same moment makes ours fail, and we accept that when it is done.
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import { checkLegacyColumns, legacySqliteDdl, legacyTables, sqliteBaselineIndexes } from './legacy-schema';

/** drizzle's default: the migrator and `drizzle-kit migrate` both use it */
export const SQLITE_MIGRATIONS_TABLE = '__drizzle_migrations';

export function migrateSqlite(raw: Database.Database, db: BetterSQLite3Database, migrationsFolder: string): void {
  const migrations = readMigrationFiles({ migrationsFolder });
  baseline(raw, migrations[0]!);
  try {
    migrate(db, { migrationsFolder });
  } catch (e) {
    if (pending(raw, migrations) > 0) throw e;
  }
}

const tableExists = (raw: Database.Database, name: string) =>
  raw.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;

function lastApplied(raw: Database.Database): number | undefined {
  if (!tableExists(raw, SQLITE_MIGRATIONS_TABLE)) return undefined;
  const row = raw.prepare(`SELECT max(created_at) AS last FROM "${SQLITE_MIGRATIONS_TABLE}"`).get() as { last: number | null };
  return row.last === null ? undefined : Number(row.last);
}

function pending(raw: Database.Database, migrations: MigrationMeta[]): number {
  const last = lastApplied(raw) ?? -1;
  return migrations.filter((m) => m.folderMillis > last).length;
}

/** Tables but no recorded migration: made by the hand-written DDL of older dashboards. */
function baseline(raw: Database.Database, init: MigrationMeta): void {
  if (lastApplied(raw) !== undefined || !legacyTables.some((t) => tableExists(raw, t))) return;
  raw
    .transaction(() => {
      if (lastApplied(raw) !== undefined) return; // another process did it first
      // what that older dashboard did at every start (a database from before `hosts` gains it)
      raw.exec(legacySqliteDdl);
      for (const table of legacyTables) {
        const cols = raw.pragma(`table_info(${table})`) as { name: string; type: string; notnull: number; pk: number }[];
        checkLegacyColumns(table, cols.map((c) => [c.name, c.type, c.notnull === 1 || c.pk > 0]));
      }
      raw.exec(sqliteBaselineIndexes);
      // the same table the migrator creates
      raw.exec(`CREATE TABLE IF NOT EXISTS "${SQLITE_MIGRATIONS_TABLE}" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
      raw.prepare(`INSERT INTO "${SQLITE_MIGRATIONS_TABLE}" ("hash", "created_at") VALUES (?, ?)`).run(init.hash, init.folderMillis);
    })
    .immediate();
}
