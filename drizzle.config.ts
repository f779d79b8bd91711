import { defineConfig } from 'drizzle-kit';

// Only used by `npm run db:generate` to write SQL migrations into drizzle/; the service applies
// them itself at start-up (src/db/migrate.ts) on PostgreSQL and PGlite alike.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './drizzle',
});
