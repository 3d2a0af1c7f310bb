// The web's own database: users, sessions, audit log. All DB access goes through the Store
// returned here; SQLite (better-sqlite3) by default, PostgreSQL (pg) when DATABASE_URL is set.
// The tables are in schema/{sqlite,pg}.ts; opening a store applies the committed drizzle-kit
// migrations (drizzle/{sqlite,pg}, see migrations-dir.ts) first.
// The handle lives on globalThis because Next's bundled route handlers and server.ts each load
// their own copy of this module.
import fs from 'node:fs';
import path from 'node:path';
import { and, desc, eq, gt, lt, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { loadConfig } from './config';
import { findMigrationsDir } from './migrations-dir';
import { auditLog as sAudit, hosts as sHosts, sessions as sSessions, users as sUsers } from './schema/sqlite';
import { auditLog as pAudit, hosts as pHosts, sessions as pSessions, users as pUsers } from './schema/pg';

export type Role = 'admin' | 'operator' | 'viewer';
export const roles: readonly Role[] = ['admin', 'operator', 'viewer'];

export interface User {
  id: number;
  username: string;
  passwordHash: string;
  role: Role;
  createdAt: string;
}

export interface SessionRow {
  idHash: string;
  userId: number;
  expiresAt: string;
}

export interface AuditEntry {
  time: string;
  userId: number | null;
  username: string;
  action: string;
  target: string;
  detail: string;
  outcome: string;
}

/** A remote agent the dashboard manages besides its own ("local", from the environment). */
export interface HostRow {
  id: number;
  name: string;
  url: string;
  /** the agent's bearer token: never sent to browsers */
  token: string;
  /** sha256 certificate fingerprint pinned for an https agent */
  fingerprint: string | null;
  createdAt: string;
}

export interface AuditQuery {
  username?: string;
  action?: string;
  outcome?: string;
  /** matched against target and detail */
  text?: string;
  limit: number;
  beforeId?: number;
}

export interface Store {
  countUsers(): Promise<number>;
  userByName(username: string): Promise<User | undefined>;
  userById(id: number): Promise<User | undefined>;
  createUser(u: { username: string; passwordHash: string; role: Role }): Promise<User>;
  createSession(s: SessionRow): Promise<void>;
  sessionUser(idHash: string, now: string): Promise<User | undefined>;
  deleteSession(idHash: string): Promise<void>;
  deleteExpiredSessions(now: string): Promise<void>;
  addAudit(e: AuditEntry): Promise<void>;
  recentAudit(limit: number): Promise<AuditEntry[]>;
  /** newest first; every filter is a case-insensitive substring; `beforeId` pages back */
  queryAudit(q: AuditQuery): Promise<(AuditEntry & { id: number })[]>;
  listUsers(): Promise<User[]>;
  setUserRole(id: number, role: Role): Promise<void>;
  setUserPassword(id: number, passwordHash: string): Promise<void>;
  /** removes the user and every session of theirs */
  deleteUser(id: number): Promise<void>;
  listHosts(): Promise<HostRow[]>;
  hostById(id: number): Promise<HostRow | undefined>;
  addHost(h: Omit<HostRow, 'id' | 'createdAt'>): Promise<HostRow>;
  deleteHost(id: number): Promise<void>;
  close(): Promise<void>;
}

// ---- SQLite -------------------------------------------------------------------------------

async function openSqlite(file: string, migrationsDir: string): Promise<Store> {
  const { default: Database } = await import('better-sqlite3');
  const { drizzle } = await import('drizzle-orm/better-sqlite3');
  const { migrateSqlite } = await import('./migrate-sqlite');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const raw = new Database(file);
  const db = drizzle(raw);
  try {
    raw.pragma('journal_mode = WAL');
    raw.pragma('busy_timeout = 5000');
    migrateSqlite(raw, db, migrationsDir);
  } catch (e) {
    raw.close();
    throw e;
  }
  const asUser = (r: typeof sUsers.$inferSelect | undefined): User | undefined => (r ? { ...r, role: r.role as Role } : undefined);
  return {
    async countUsers() {
      return db.select({ n: sql<number>`count(*)` }).from(sUsers).get()!.n;
    },
    async userByName(username) {
      return asUser(db.select().from(sUsers).where(eq(sUsers.username, username)).get());
    },
    async userById(id) {
      return asUser(db.select().from(sUsers).where(eq(sUsers.id, id)).get());
    },
    async createUser(u) {
      const row = db.insert(sUsers).values({ ...u, createdAt: new Date().toISOString() }).returning().get();
      return asUser(row)!;
    },
    async createSession(s) {
      db.insert(sSessions).values(s).run();
    },
    async sessionUser(idHash, now) {
      const row = db
        .select({ u: sUsers })
        .from(sSessions)
        .innerJoin(sUsers, eq(sUsers.id, sSessions.userId))
        .where(and(eq(sSessions.idHash, idHash), gt(sSessions.expiresAt, now)))
        .get();
      return asUser(row?.u);
    },
    async deleteSession(idHash) {
      db.delete(sSessions).where(eq(sSessions.idHash, idHash)).run();
    },
    async deleteExpiredSessions(now) {
      db.delete(sSessions).where(lt(sSessions.expiresAt, now)).run();
    },
    async addAudit(e) {
      db.insert(sAudit).values(e).run();
    },
    async recentAudit(limit) {
      return db.select().from(sAudit).orderBy(sql`${sAudit.id} desc`).limit(limit).all();
    },
    async queryAudit(q) {
      return db.select().from(sAudit).where(auditWhere(sAudit, q)).orderBy(desc(sAudit.id)).limit(q.limit).all();
    },
    async listUsers() {
      return db.select().from(sUsers).orderBy(sUsers.username).all().map((r) => asUser(r)!);
    },
    async setUserRole(id, role) {
      db.update(sUsers).set({ role }).where(eq(sUsers.id, id)).run();
    },
    async setUserPassword(id, passwordHash) {
      db.update(sUsers).set({ passwordHash }).where(eq(sUsers.id, id)).run();
    },
    async listHosts() {
      return db.select().from(sHosts).orderBy(sHosts.name).all();
    },
    async hostById(id) {
      return db.select().from(sHosts).where(eq(sHosts.id, id)).get();
    },
    async addHost(h) {
      return db.insert(sHosts).values({ ...h, createdAt: new Date().toISOString() }).returning().get();
    },
    async deleteHost(id) {
      db.delete(sHosts).where(eq(sHosts.id, id)).run();
    },
    async deleteUser(id) {
      raw.transaction(() => {
        db.delete(sSessions).where(eq(sSessions.userId, id)).run();
        db.delete(sUsers).where(eq(sUsers.id, id)).run();
      })();
    },
    async close() {
      raw.close();
    },
  };
}

// ---- PostgreSQL ---------------------------------------------------------------------------

async function openPostgres(url: string, migrationsDir: string): Promise<Store> {
  const { default: pg } = await import('pg');
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migratePostgres } = await import('./migrate-postgres');
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  try {
    await migratePostgres(pool, migrationsDir);
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
  const db = drizzle(pool);
  const asUser = (r: typeof pUsers.$inferSelect | undefined): User | undefined => (r ? { ...r, role: r.role as Role } : undefined);
  return {
    async countUsers() {
      const [r] = await db.select({ n: sql<string>`count(*)` }).from(pUsers);
      return Number(r!.n);
    },
    async userByName(username) {
      const [r] = await db.select().from(pUsers).where(eq(pUsers.username, username));
      return asUser(r);
    },
    async userById(id) {
      const [r] = await db.select().from(pUsers).where(eq(pUsers.id, id));
      return asUser(r);
    },
    async createUser(u) {
      const [r] = await db.insert(pUsers).values({ ...u, createdAt: new Date().toISOString() }).returning();
      return asUser(r)!;
    },
    async createSession(s) {
      await db.insert(pSessions).values(s);
    },
    async sessionUser(idHash, now) {
      const [r] = await db
        .select({ u: pUsers })
        .from(pSessions)
        .innerJoin(pUsers, eq(pUsers.id, pSessions.userId))
        .where(and(eq(pSessions.idHash, idHash), gt(pSessions.expiresAt, now)));
      return asUser(r?.u);
    },
    async deleteSession(idHash) {
      await db.delete(pSessions).where(eq(pSessions.idHash, idHash));
    },
    async deleteExpiredSessions(now) {
      await db.delete(pSessions).where(lt(pSessions.expiresAt, now));
    },
    async addAudit(e) {
      await db.insert(pAudit).values(e);
    },
    async recentAudit(limit) {
      return db.select().from(pAudit).orderBy(sql`${pAudit.id} desc`).limit(limit);
    },
    async queryAudit(q) {
      return db.select().from(pAudit).where(auditWhere(pAudit, q)).orderBy(desc(pAudit.id)).limit(q.limit);
    },
    async listUsers() {
      return (await db.select().from(pUsers).orderBy(pUsers.username)).map((r) => asUser(r)!);
    },
    async setUserRole(id, role) {
      await db.update(pUsers).set({ role }).where(eq(pUsers.id, id));
    },
    async setUserPassword(id, passwordHash) {
      await db.update(pUsers).set({ passwordHash }).where(eq(pUsers.id, id));
    },
    async listHosts() {
      return db.select().from(pHosts).orderBy(pHosts.name);
    },
    async hostById(id) {
      const [r] = await db.select().from(pHosts).where(eq(pHosts.id, id));
      return r;
    },
    async addHost(h) {
      const [r] = await db.insert(pHosts).values({ ...h, createdAt: new Date().toISOString() }).returning();
      return r!;
    },
    async deleteHost(id) {
      await db.delete(pHosts).where(eq(pHosts.id, id));
    },
    async deleteUser(id) {
      await db.transaction(async (tx) => {
        await tx.delete(pSessions).where(eq(pSessions.userId, id));
        await tx.delete(pUsers).where(eq(pUsers.id, id));
      });
    },
    async close() {
      await pool.end();
    },
  };
}

// ---- queries shared by both -------------------------------------------------------------

type AuditColumns = typeof sAudit | typeof pAudit;

/** LIKE with the user's text taken literally (% and _ escaped), case-insensitive for ASCII. */
function contains(col: SQLWrapper, text: string): SQL {
  const escaped = text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql`lower(${col}) like ${`%${escaped}%`} escape '\\'`;
}

function auditWhere(t: AuditColumns, q: AuditQuery): SQL | undefined {
  const parts: SQL[] = [];
  if (q.username) parts.push(contains(t.username, q.username));
  if (q.action) parts.push(contains(t.action, q.action));
  if (q.outcome) parts.push(contains(t.outcome, q.outcome));
  if (q.text) parts.push(or(contains(t.target, q.text), contains(t.detail, q.text))!);
  if (q.beforeId !== undefined) parts.push(lt(t.id, q.beforeId));
  return parts.length ? and(...parts) : undefined;
}

// ---- process-wide handle ------------------------------------------------------------------

export interface StoreOptions {
  databaseUrl?: string;
  sqlitePath: string;
  /** the folder holding sqlite/ and pg/ migrations; found by findMigrationsDir when absent */
  migrationsDir?: string;
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  const dialect = opts.databaseUrl ? 'pg' : 'sqlite';
  const dir = opts.migrationsDir ? path.join(opts.migrationsDir, dialect) : findMigrationsDir(dialect);
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, dir) : openSqlite(opts.sqlitePath, dir);
}

const g = globalThis as typeof globalThis & { __berthWebStore?: Promise<Store> };

/** The one store for this process (shared by server.ts and Next's bundled route handlers), so
 * the migrations run once per process; migrate-*.ts keep processes sharing a database apart. */
export function getStore(): Promise<Store> {
  if (!g.__berthWebStore) {
    const cfg = loadConfig();
    g.__berthWebStore = openStore({ databaseUrl: cfg.databaseUrl, sqlitePath: cfg.sqlitePath });
    g.__berthWebStore.catch(() => {
      g.__berthWebStore = undefined;
    });
  }
  return g.__berthWebStore;
}
