'use server';

import { z } from 'zod';
import { decodeFxFile, FxFileError } from '../fx/parse';
import { type FxLoadSummary, importFxFile } from '../fx/store';
import { FX_FILE_FORMATS } from '../fx/types';
import { ActionError, type ActionState, formAction } from './safe-action';

/**
 * /settings/fx: finance (or an admin) uploads a rates file, the ECB's reference-rate CSV or a
 * date,from,to,rate file. All or nothing: a refused file changes nothing, and its problems (line
 * and what is wrong) come back for the page to list; a loaded one replaces the rates of the same
 * days and pairs. lib/fx/store.ts writes the rows and the audit line in one transaction.
 */

/** The server action body limit in next.config.ts (experimental.serverActions.bodySizeLimit). */
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

const LoadFxRatesSchema = z.object({
  file: z
    .instanceof(File, { error: 'choose a CSV file' })
    .refine((f) => f.size > 0, { error: 'choose a CSV file (this one is empty)' })
    .refine((f) => f.size <= MAX_UPLOAD_BYTES, { error: `the file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB` }),
  format: z.enum(['auto', ...FX_FILE_FORMATS]).default('auto'),
});

function fromForm(form: FormData) {
  const format = form.get('format');
  return { file: form.get('file') ?? undefined, format: typeof format === 'string' && format !== '' ? format : undefined };
}

/** The name shown in the rows and the audit trail: the browser's file name, without any path or control characters. */
function fileName(file: File): string {
  const base = [...(file.name.split(/[\\/]/).pop() ?? '')]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('')
    .trim();
  return (base || 'upload.csv').slice(0, 200);
}

const run = formAction({
  name: 'loadFxRates',
  schema: LoadFxRatesSchema,
  fromForm,
  audit: (input) => ({ action: 'fx_rates.load', objectType: 'fx_rates', objectId: input ? fileName(input.file) : undefined }),
  revalidate: ['/settings/fx'],
  handler: async ({ file, format }, { actor }) => {
    const name = fileName(file);
    let s: FxLoadSummary;
    try {
      s = await importFxFile(decodeFxFile(new Uint8Array(await file.arrayBuffer()), name), { file: name, format, actor });
    } catch (error) {
      if (!(error instanceof FxFileError)) throw error;
      const lines = error.problems.map((p) => (p.line === null ? p.message : `line ${p.line}: ${p.message}`));
      if (error.more) lines.push(`…and ${error.more} more`);
      throw new ActionError(`${name} was refused: nothing was loaded. Fix the lines below and load it again.`, { file: lines });
    }
    return {
      message: `Loaded ${s.file} (${s.format === 'ecb' ? 'ECB reference rates' : 'date,from,to,rate'}): ${s.rates} ${s.rates === 1 ? 'rate' : 'rates'} for ${s.pairs} ${s.pairs === 1 ? 'pair' : 'pairs'} from ${s.firstDay} to ${s.lastDay}; ${s.inserted} new, ${s.changed} changed, ${s.unchanged} unchanged.`,
      data: s,
      subject: `fx_rates ${s.file}`,
    };
  },
});

/** Loads one FX rates file (finance, admins). */
export async function loadFxRates(prev: ActionState<FxLoadSummary>, form: FormData): Promise<ActionState<FxLoadSummary>> {
  return run(prev, form);
}
