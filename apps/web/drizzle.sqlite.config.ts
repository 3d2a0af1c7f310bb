// drizzle-kit settings for the SQLite migrations (`npm run db:generate`); generating needs no database.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './lib/server/schema/sqlite.ts',
  out: './drizzle/sqlite',
});
