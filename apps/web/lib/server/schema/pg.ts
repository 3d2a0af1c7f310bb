// The dashboard's tables on PostgreSQL. drizzle-kit reads this file to generate the migrations in
// drizzle/pg/ (`npm run db:generate`); change a table here, then generate and commit.
import { index, integer, pgTable, serial, text } from 'drizzle-orm/pg-core';

// The unique constraints carry the names PostgreSQL gave the inline UNIQUEs of the tables made
// before migrations existed (`<table>_<column>_key`), so a database baselined from those and a
// freshly migrated one have the same constraint names for later migrations to refer to.
export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  username: text('username').notNull().unique('users_username_key'),
  passwordHash: text('password_hash').notNull(),
  role: text('role').notNull(),
  createdAt: text('created_at').notNull(),
});

export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: integer('user_id').notNull(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

export const auditLog = pgTable('audit_log', {
  id: serial('id').primaryKey(),
  time: text('time').notNull(),
  userId: integer('user_id'),
  username: text('username').notNull(),
  action: text('action').notNull(),
  target: text('target').notNull(),
  detail: text('detail').notNull(),
  outcome: text('outcome').notNull(),
});

export const hosts = pgTable('hosts', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique('hosts_name_key'),
  url: text('url').notNull(),
  token: text('token').notNull(),
  fingerprint: text('fingerprint'),
  createdAt: text('created_at').notNull(),
});
