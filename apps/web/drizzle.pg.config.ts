// drizzle-kit settings for the PostgreSQL migrations (`npm run db:generate`); generating needs no database.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './lib/server/schema/pg.ts',
  out: './drizzle/pg',
});
