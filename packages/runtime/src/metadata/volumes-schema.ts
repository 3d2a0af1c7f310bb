// Named and anonymous volumes. Owned by volumes/. The data lives in $BERTH_ROOT/volumes/<name>/_data.
export const volumesDdl = [
  `CREATE TABLE IF NOT EXISTS volumes (
    name TEXT PRIMARY KEY,
    driver TEXT NOT NULL DEFAULT 'local',
    labels TEXT NOT NULL DEFAULT '{}',
    anonymous INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  )`,
];
