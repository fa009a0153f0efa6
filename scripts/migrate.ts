// npm run db:migrate: applies pending SQL migrations to DATABASE_URL (or the embedded database).
import { resolveDatabase } from '../lib/db/connect';
import { redactDatabaseUrl } from '../lib/env';

const db = await resolveDatabase((line) => console.log(line));
console.log(`database is up to date (${db.embedded ? db.description : redactDatabaseUrl(db.url)})`);
await db.stop();
