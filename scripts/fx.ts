// npm run fx -- import [--format auto|ecb|simple] [--json] FILE...
//   loads FX rate files (the ECB's eurofxref-hist.csv / eurofxref.csv, or date,from,to,rate) into
//   fx_rates, each file whole or not at all, each load (or refusal) a line in the audit trail.
// npm run fx -- list [--json]
//   the loaded pairs: first and last day, days with a rate, the last load.
// Uses DATABASE_URL, or the embedded database of this checkout (started for the command).
import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { recordAudit } from '../lib/audit/record';
import type { Actor } from '../lib/auth/actor';
import { resolveDatabase } from '../lib/db/connect';
import { closePool, getPool } from '../lib/db/pool';
import { decodeFxFile, FxFileError, MAX_FX_FILE_BYTES } from '../lib/fx/parse';
import { type FxLoadSummary, importFxFile, listRateRanges } from '../lib/fx/store';
import { FX_FILE_FORMATS } from '../lib/fx/types';

const USAGE = `usage: npm run fx -- import [--format auto|${FX_FILE_FORMATS.join('|')}] [--json] FILE...
       npm run fx -- list [--json]`;

const ArgsSchema = z.discriminatedUnion('command', [
  z.object({
    command: z.literal('import'),
    format: z.enum(['auto', ...FX_FILE_FORMATS]).default('auto'),
    json: z.boolean().default(false),
    paths: z.array(z.string().min(1)).min(1, 'give at least one file to import'),
  }),
  z.object({ command: z.literal('list'), json: z.boolean().default(false), paths: z.array(z.string()).max(0, 'list takes no files') }),
]);
type Args = z.infer<typeof ArgsSchema>;

function parse(argv: string[]): Args | { help: true } | { error: string } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { format: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) return { help: true };
    const [command, ...paths] = positionals;
    if (command !== 'import' && command !== 'list') return { error: 'command: import or list' };
    if (command === 'list' && values.format) return { error: '--format is for import' };
    const result = ArgsSchema.safeParse({ command, format: values.format, json: values.json, paths });
    if (!result.success) return { error: result.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('\n') };
    return result.data;
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** One file: read, parse, store (with its audit line); a refusal is recorded too. */
async function importOne(file: string, format: 'auto' | 'ecb' | 'simple', actor: Actor): Promise<FxLoadSummary> {
  const name = path.basename(file);
  try {
    const size = (await stat(file)).size;
    if (size > MAX_FX_FILE_BYTES)
      throw new FxFileError(name, [{ line: null, message: `the file is larger than ${MAX_FX_FILE_BYTES / 1024 / 1024} MB` }]);
    return await importFxFile(decodeFxFile(await readFile(file), name), { file: name, format, actor });
  } catch (error) {
    if (error instanceof FxFileError)
      await recordAudit(getPool(), {
        actor,
        action: 'fx_rates.load',
        objectType: 'fx_rates',
        objectId: name,
        outcome: 'refused',
        detail: { file: name, problems: error.problems.length + error.more, message: error.message.slice(0, 2000) },
      });
    throw error;
  }
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  if ('help' in args) {
    console.log(USAGE);
    return 0;
  }
  if ('error' in args) {
    console.error(`${args.error}\n${USAGE}`);
    return 2;
  }
  const log = args.json ? () => {} : (line: string) => console.error(line);
  const db = await resolveDatabase(log);
  process.env.DATABASE_URL = db.url;
  try {
    if (args.command === 'list') {
      const ranges = await listRateRanges();
      if (args.json) console.log(JSON.stringify(ranges, null, 2));
      else if (ranges.length === 0) console.log('no FX rates loaded yet');
      else
        for (const r of ranges)
          console.log(
            `${r.base}→${r.quote}\t${r.firstDay} to ${r.lastDay}\t${r.days} ${r.days === 1 ? 'day' : 'days'}\t${r.lastFile}, ${r.lastLoadedAt.toISOString()}`,
          );
      return 0;
    }
    const actor: Actor = { kind: 'cli', osUser: os.userInfo().username };
    const files: FxLoadSummary[] = [];
    const failures: { file: string; error: string }[] = [];
    for (const file of args.paths) {
      try {
        const s = await importOne(file, args.format, actor);
        files.push(s);
        if (!args.json)
          console.error(
            `${file}: ${s.format} → ${s.rates} ${s.rates === 1 ? 'rate' : 'rates'} for ${s.pairs} ${s.pairs === 1 ? 'pair' : 'pairs'}, ${s.firstDay} to ${s.lastDay}: ${s.inserted} new, ${s.changed} changed, ${s.unchanged} unchanged${s.notAvailable ? ` (${s.notAvailable} N/A values left out)` : ''}`,
          );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ file, error: message });
        if (!args.json) console.error(`error: ${message}${error instanceof FxFileError ? '' : `\n  nothing from ${file} was stored.`}`);
      }
    }
    if (args.json) console.log(JSON.stringify({ ok: failures.length === 0, files, failures }, null, 2));
    return failures.length ? 1 : 0;
  } finally {
    await closePool();
    await db.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`error: ${(error as Error).message}`);
    process.exit(1);
  },
);
