// Brings a PostgreSQL dashboard database up to the committed migrations (drizzle/pg) with
// drizzle's migrator. A database made before migrations existed is baselined first: its tables
// are checked and 0000_init is recorded as applied, so only later migrations run on it.
// One connection holds an advisory lock throughout, so dashboards starting together against one
// database take turns: the first migrates, the others find nothing left to do.
import type pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import { checkLegacyColumns, legacyPgDdl, legacyTables } from './legacy-schema';

/** drizzle's defaults: the migrator and `drizzle-kit migrate` both use them */
export const PG_MIGRATIONS_TABLE = 'drizzle.__drizzle_migrations';
/** pg_advisory_lock key: "berthweb" in ASCII, as a bigint */
const LOCK_KEY = '7090199032659141986';

export async function migratePostgres(pool: pg.Pool, migrationsFolder: string): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder });
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
    try {
      await baseline(client, migrations[0]!);
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`).catch((e: Error) => {
        broken = e; // a connection still holding the lock must not go back to the pool
      });
    }
  } finally {
    client.release(broken);
  }
}

async function applied(client: pg.PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [PG_MIGRATIONS_TABLE]);
  if (!rows[0]!.t) return false;
  const n = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${PG_MIGRATIONS_TABLE}`);
  return Number(n.rows[0]!.n) > 0;
}

/** Tables but no recorded migration: made by the hand-written DDL of older dashboards. */
async function baseline(client: pg.PoolClient, init: MigrationMeta): Promise<void> {
  if (await applied(client)) return;
  const { rows } = await client.query<{ t: string | null }>(`SELECT to_regclass(t) AS t FROM unnest($1::text[]) AS t`, [[...legacyTables]]);
  if (!rows.some((r) => r.t)) return;
  await client.query('BEGIN');
  try {
    // what that older dashboard did at every start (a database from before `hosts` gains it)
    await client.query(legacyPgDdl);
    const cols = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
      [[...legacyTables]],
    );
    for (const table of legacyTables) {
      checkLegacyColumns(table, cols.rows.filter((c) => c.table_name === table).map((c) => [c.column_name, c.data_type, c.is_nullable === 'NO']));
    }
    // the same schema and table the migrator creates
    await client.query(`CREATE SCHEMA IF NOT EXISTS drizzle`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${PG_MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
    await client.query(`INSERT INTO ${PG_MIGRATIONS_TABLE} ("hash", "created_at") VALUES ($1, $2)`, [init.hash, init.folderMillis]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
