// Images and tags. An image row is written only after all its blobs and snapshots exist, in one
// transaction with its tags, so the database never names content that is not on disk (a crash
// leaves at worst unreferenced blobs, which gc removes). Owned by images/.
import { sqliteTable, text, integer } from 'drizzle-orm/sqlite-core';

export const images = sqliteTable('images', {
  id: text('id').primaryKey(), // config digest, Docker's image id
  manifestDigest: text('manifest_digest').notNull(),
  config: text('config').notNull(), // JSON: the image config blob as stored
  chainIds: text('chain_ids').notNull(), // JSON: string[], bottom-most layer first
  layers: text('layers').notNull(), // JSON: {digest,size,mediaType}[] from the manifest
  size: integer('size').notNull(), // bytes, sum of unpacked layer sizes
  created: text('created'), // ISO time from the config, may be null
  loadedAt: integer('loaded_at').notNull(), // ms since epoch
});

export const tags = sqliteTable('tags', {
  ref: text('ref').primaryKey(), // normalised: docker.io/library/busybox:latest
  imageId: text('image_id')
    .notNull()
    .references(() => images.id),
});

export const imagesDdl: string[] = [
  `CREATE TABLE IF NOT EXISTS images (
    id TEXT PRIMARY KEY,
    manifest_digest TEXT NOT NULL,
    config TEXT NOT NULL,
    chain_ids TEXT NOT NULL,
    layers TEXT NOT NULL,
    size INTEGER NOT NULL,
    created TEXT,
    loaded_at INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS tags (
    ref TEXT PRIMARY KEY,
    image_id TEXT NOT NULL REFERENCES images(id)
  )`,
  `CREATE INDEX IF NOT EXISTS tags_image_id ON tags(image_id)`,
];
