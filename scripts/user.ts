// npm run user -- create --email … --role viewer|engineer|finance|admin [--name …] [--password …]
// npm run user -- reset-password --email …
// npm run user -- list
// Accounts from a shell, through the same code as the setup and users pages (lib/auth/users.ts).
// Without --password, prints a one-time link where the user sets one. Uses DATABASE_URL, or the
// embedded database of this checkout (started for the command if npm start is not running).

import os from 'node:os';
import { parseArgs } from 'node:util';
import { recordAudit } from '../lib/audit/record';
import type { Actor } from '../lib/auth/actor';
import { ROLES } from '../lib/auth/roles';
import { createUser, issuePasswordResetLink, UserError } from '../lib/auth/users';
import { resolveDatabase } from '../lib/db/connect';
import { closePool, getPool } from '../lib/db/pool';
import { readEnv } from '../lib/env';

const USAGE = `usage:
  npm run user -- create --email EMAIL --role ${ROLES.join('|')} [--name NAME] [--password PASSWORD]
  npm run user -- reset-password --email EMAIL
  npm run user -- list`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !['create', 'reset-password', 'list'].includes(command)) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const env = readEnv();
  const db = await resolveDatabase(() => {});
  process.env.DATABASE_URL = db.url;
  const base = env.BURNRATE_PUBLIC_URL?.replace(/\/$/, '') ?? `http://localhost:${env.PORT}`;
  const by = `npm run user (${os.userInfo().username})`;
  const actor: Actor = { kind: 'cli', osUser: os.userInfo().username };
  try {
    if (command === 'list') {
      const { rows } = await getPool().query<{ email: string; role: string; disabled: boolean; last: Date | null }>(
        'SELECT email, role, disabled_at IS NOT NULL AS disabled, last_sign_in_at AS last FROM users ORDER BY email',
      );
      for (const r of rows)
        console.log(`${r.email}\t${r.role}${r.disabled ? '\tdisabled' : ''}\t${r.last ? r.last.toISOString() : 'never signed in'}`);
      if (rows.length === 0) console.log('no users yet');
      return 0;
    }
    if (!values.email) throw new UserError('--email is required', 'email');
    if (command === 'reset-password') {
      const { rows } = await getPool().query<{ id: string }>('SELECT id FROM users WHERE email = $1', [values.email.trim().toLowerCase()]);
      if (!rows[0]) throw new UserError(`no user has the email ${values.email}`, 'email');
      const link = await issuePasswordResetLink(rows[0].id, by);
      await recordAudit(getPool(), { actor, action: 'user.password_reset_link', objectType: 'user', objectId: rows[0].id });
      console.log(`one-time link to set a new password (valid 24 hours): ${base}${link}`);
      return 0;
    }
    if (!values.role) throw new UserError(`--role is required (${ROLES.join(', ')})`, 'role');
    const user = await createUser(
      {
        email: values.email,
        role: values.role as (typeof ROLES)[number],
        name: values.name ?? values.email.split('@')[0] ?? values.email,
        password: values.password,
      },
      by,
    );
    await recordAudit(getPool(), {
      actor,
      action: 'user.create',
      objectType: 'user',
      objectId: user.id,
      after: { email: user.email, role: user.role },
      detail: { note: user.passwordLink ? 'invitation link issued' : 'password set from the shell' },
    });
    console.log(`created ${user.email} (${user.role})`);
    if (user.passwordLink) console.log(`one-time link to set a password (valid 7 days): ${base}${user.passwordLink}`);
    return 0;
  } catch (error) {
    if (error instanceof UserError) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await closePool();
    await db.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${(error as Error).message}`);
    process.exit(1);
  },
);
