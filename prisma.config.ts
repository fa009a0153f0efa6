import { defineConfig } from 'prisma/config';

// Only `prisma generate` is used: migrations are plain SQL applied by lib/db/migrate.ts because the
// Prisma CLI cannot fetch its schema engine on machines without internet access.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
