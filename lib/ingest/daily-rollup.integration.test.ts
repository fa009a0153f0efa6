// The daily rollup the pipeline writes must equal what SQL computes from the stored line items, for
// every format: computed while streaming (FOCUS CSV, the fast path) or by SQL after the swap (the
// generic path: AWS CUR, Azure, GCP, Parquet).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../tests/helpers/db';
import { daily, dailyFromLineItems } from '../../tests/helpers/rollup';
import { ingestFile } from './pipeline';

let url: string;

beforeAll(async () => {
  url = await useTestDatabase();
});

async function csvs(dir: string): Promise<string[]> {
  const root = path.resolve('tests/fixtures', dir);
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.csv(\.gz)?$/.test(entry.name)) out.push(path.join(entry.parentPath, entry.name));
  }
  return out.sort();
}

describe('daily rollup = SQL over the line items, every fixture', () => {
  for (const dir of ['aws-cur', 'gcp', 'azure', 'focus']) {
    it(`${dir} exports`, async () => {
      let landed = 0;
      for (const file of await csvs(dir)) {
        const source = `rollup:${path.relative('tests/fixtures', file)}`;
        try {
          await ingestFile({ file, sourceName: source });
        } catch {
          continue; // fixtures that are rejected on purpose (their own tests check the messages)
        }
        const rollup = await daily(url, source);
        expect(rollup, file).toEqual(await dailyFromLineItems(url, source));
        if (rollup.length) landed++;
      }
      expect(landed).toBeGreaterThanOrEqual(2);
    });
  }
});
