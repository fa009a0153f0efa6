// copyChunks against a real PostgreSQL: a value the server refuses while the rest of a long file is
// still streaming is reported with the file line it came from (regression: the error used to be a
// TypeError from writing into the failed COPY, "Cannot read properties of null (reading 'stream')").
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { ingestFile } from './pipeline';
import { IngestError } from './types';

const HEADER =
  'BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ProviderName,BilledCost,BillingCurrency,ChargeDescription';
const ROW = 'acct,2026-01-01T00:00:00Z,2026-02-01T00:00:00Z,2026-01-05T00:00:00Z,2026-01-06T00:00:00Z,Usage,AWS,1.10,USD,';

let url: string;
let dir: string;

beforeAll(async () => {
  url = await useTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-copy-stream-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a value PostgreSQL refuses early in a long file', () => {
  it.each([
    ['fast path', true],
    ['generic path', false],
  ])('is reported with its file line, and nothing is stored (%s)', async (_name, fastPath) => {
    const rows = 100_000; // ~10 MB: the server refuses line 3 while most of the file is still to be written
    // A NUL byte is valid UTF-8 that the readers pass on and PostgreSQL's text refuses.
    const lines = [HEADER, `${ROW}first`, `${ROW}bad\0value`];
    for (let i = 0; i < rows; i++) lines.push(`${ROW}row ${i} padded to make the COPY outrun the server`);
    const file = path.join(dir, `nul-${fastPath}.csv`);
    await writeFile(file, `${lines.join('\n')}\n`);
    const error = await ingestFile({ file, sourceName: `nul-${fastPath}`, fastPath }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).message).toMatch(/nul-(true|false)\.csv, line 3\b.*invalid byte sequence for encoding "UTF8": 0x00/);
    expect((error as IngestError).detail).toMatchObject({ line: 3, code: 'BAD_VALUE' });
    const [stored] = await sql<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM cost_line_items WHERE source_id IN (SELECT id FROM billing_sources WHERE name = $1)`,
      [`nul-${fastPath}`],
    );
    expect(stored?.n).toBe(0);
  });
});
