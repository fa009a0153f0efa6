// The rollup's one definition (ROLLUP_KEY and the columns around it in daily-rollup.ts) against the
// cost_daily table the migrations create: the same columns in the same order, and '' for null
// exactly where the table says NOT NULL DEFAULT ''.
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { DAILY_COPY_COLUMNS, ROLLUP_KEY } from './daily-rollup';

let url: string;

beforeAll(async () => {
  url = await useTestDatabase();
});

interface Column {
  column_name: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
}

async function costDailyColumns(): Promise<Column[]> {
  return sql<Column>(
    url,
    `SELECT column_name, is_nullable, column_default FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'cost_daily' ORDER BY ordinal_position`,
  );
}

describe('the daily rollup definition', () => {
  it('names cost_daily’s columns (but its id) in the table’s order', async () => {
    const columns = (await costDailyColumns()).map((c) => c.column_name).filter((c) => c !== 'id');
    expect([...DAILY_COPY_COLUMNS]).toEqual(columns);
  });

  it('stores null as the empty string exactly for the key columns the table declares NOT NULL DEFAULT empty', async () => {
    const byName = new Map((await costDailyColumns()).map((c) => [c.column_name, c]));
    const blankInTable = ROLLUP_KEY.filter((k) => {
      const c = byName.get(k.column);
      return c?.is_nullable === 'NO' && c.column_default?.startsWith("''") === true;
    }).map((k) => k.column);
    expect(ROLLUP_KEY.filter((k) => k.blankForNull).map((k) => k.column)).toEqual(blankInTable);
    expect(blankInTable).toEqual([
      'billing_account_id',
      'sub_account_id',
      'sub_account_name',
      'service_name',
      'service_category',
      'region_id',
      'region_name',
    ]);
  });
});
