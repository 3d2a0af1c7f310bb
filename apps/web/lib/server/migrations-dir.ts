// Where the committed drizzle-kit migrations (apps/web/drizzle/{sqlite,pg}) are at run time.
// Not from import.meta.url alone: Next bundles the route handlers into .next/server, so a path
// relative to this module is wrong there. BERTH_WEB_MIGRATIONS wins; otherwise the app directory
// (server.ts and `next start` run in apps/web) or the repository root as the working directory,
// and last this source file's own place (tsx scripts started from anywhere).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Dialect = 'sqlite' | 'pg';

export interface FindOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** import.meta.url of a module in lib/server, when it is a file: URL */
  moduleUrl?: string;
}

// The paths below are only known at run time: turbopackIgnore keeps Next's build from tracing
// the whole project into the server output because of them.
const hasJournal = (root: string, dialect: Dialect) => fs.existsSync(path.join(/*turbopackIgnore: true*/ root, dialect, 'meta', '_journal.json'));

/** The migrations folder for one dialect: `<root>/<dialect>`, where root holds sqlite/ and pg/. */
export function findMigrationsDir(dialect: Dialect, opts: FindOptions = {}): string {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const override = env.BERTH_WEB_MIGRATIONS;
  const candidates = override
    ? [path.resolve(/*turbopackIgnore: true*/ cwd, override)]
    : [path.join(/*turbopackIgnore: true*/ cwd, 'drizzle'), path.join(/*turbopackIgnore: true*/ cwd, 'apps', 'web', 'drizzle')];
  const moduleUrl = opts.moduleUrl ?? import.meta.url;
  if (!override && typeof moduleUrl === 'string' && moduleUrl.startsWith('file:')) {
    candidates.push(path.resolve(/*turbopackIgnore: true*/ path.dirname(fileURLToPath(moduleUrl)), '..', '..', 'drizzle'));
  }
  const root = candidates.find((c) => hasJournal(c, dialect));
  if (root) return path.join(/*turbopackIgnore: true*/ root, dialect);
  if (override) {
    throw new Error(`BERTH_WEB_MIGRATIONS=${override}: no ${dialect}/meta/_journal.json in ${candidates[0]} (it names the folder holding sqlite/ and pg/, apps/web/drizzle)`);
  }
  throw new Error(`the dashboard's ${dialect} migrations were not found (looked in ${candidates.join(', ')}); set BERTH_WEB_MIGRATIONS to apps/web/drizzle`);
}
