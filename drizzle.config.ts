import { defineConfig } from 'drizzle-kit';

// Table definitions live beside the module that owns them; drizzle-kit turns them into plain SQL
// migrations that both the embedded database and PostgreSQL 15 apply.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/platform/**/schema.ts', './src/apis/**/schema.ts'],
  out: './src/platform/db/migrations',
});
