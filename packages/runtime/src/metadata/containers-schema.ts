// Containers: one row each; the full record (spec, resolved config, last exit) is JSON so the
// schema stays small while the shape evolves. Owned by containers/.
import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

export const containers = sqliteTable('containers', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  imageId: text('image_id').notNull(),
  record: text('record').notNull(), // JSON: ContainerRecord
  createdAt: integer('created_at').notNull(),
});

export const containersDdl = [
  `CREATE TABLE IF NOT EXISTS containers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    image_id TEXT NOT NULL,
    record TEXT NOT NULL,
    created_at INTEGER NOT NULL
  )`,
];
