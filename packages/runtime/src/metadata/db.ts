// The metadata database (SQLite, WAL) under the data root. Each domain owns its tables in its own
// schema file and registers its DDL here; `openMetadata` applies all of it idempotently.
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { imagesDdl } from './images-schema';
import { containersDdl } from './containers-schema';
import { networksDdl } from './networks-schema';
import { volumesDdl } from './volumes-schema';

export type MetadataDb = BetterSQLite3Database & { $client: Database.Database };

export function openMetadata(file: string): MetadataDb {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  for (const ddl of [...imagesDdl, ...containersDdl, ...networksDdl, ...volumesDdl]) sqlite.exec(ddl);
  return drizzle(sqlite) as MetadataDb;
}
