import { describe, expect, it } from 'vitest';
import { DAILY_COPY_COLUMNS, DailyRollup, KEY_COLUMNS, Measures } from './daily-rollup';

function add(r: DailyRollup, day: string, key: (string | null)[], costs: (string | null)[]): void {
  r.begin(day, '2024-01-01');
  for (const v of key) r.partString(v);
  const m = new Measures();
  costs.forEach((c, i) => {
    m.setString(i, c);
  });
  r.finish(m);
}

const KEY = ['AWS', null, 'sub-1', 'tab\there', 'Amazon EC2', 'Compute', 'us-east-1', 'back\\slash', 'Usage', 'USD'];

describe('DailyRollup', () => {
  it('groups by day and key, sums exactly, and writes cost_daily COPY text (nullable keys as empty, escapes kept)', () => {
    const r = new DailyRollup();
    add(r, '2024-01-02', KEY, ['0.1', '0.10', null, '1e-3']);
    add(r, '2024-01-02', KEY, ['0.2', null, null, '2']);
    add(r, '2024-01-03', KEY, ['5', '5', '7', null]);
    expect(r.size).toBe(2);
    expect([...r.days()].sort()).toEqual(['2024-01-02', '2024-01-03']);
    const text = Buffer.concat([...r.copyText(9)]).toString('utf8');
    const lines = text.trimEnd().split('\n').sort();
    expect(lines[0]?.split('\t')).toEqual([
      '2024-01-02',
      '9',
      '2024-01-01',
      'AWS',
      '', // billing_account_id null -> '' as the SQL rollup's coalesce
      'sub-1',
      'tab\\there',
      'Amazon EC2',
      'Compute',
      'us-east-1',
      'back\\\\slash',
      'Usage',
      'USD',
      '0.3', // billed
      '0.10', // effective: the one value, scale 2
      '\\N', // list: no values
      '2.001', // contracted
      '1', // one row without an effective cost
      '2',
    ]);
    expect(lines[0]?.split('\t')).toHaveLength(DAILY_COPY_COLUMNS.length);
    expect(KEY_COLUMNS).toHaveLength(KEY.length);
  });

  it('gives up past maxGroups, so the pipeline runs the SQL rollup instead', () => {
    const r = new DailyRollup(2);
    add(r, '2024-01-01', KEY, ['1', '1', '1', '1']);
    add(r, '2024-01-02', KEY, ['1', '1', '1', '1']);
    expect(r.overflowed).toBe(false);
    add(r, '2024-01-03', KEY, ['1', '1', '1', '1']);
    expect(r.overflowed).toBe(true);
    expect(r.size).toBe(0);
  });
});
