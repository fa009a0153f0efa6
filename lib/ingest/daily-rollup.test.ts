import { describe, expect, it } from 'vitest';
import {
  DAILY_COPY_COLUMNS,
  DailyRollup,
  DecimalSum,
  KEY_COLUMNS,
  Measures,
  MONTHLY_DETAIL_SPEC,
  rollupColumns,
  StreamRollup,
} from './daily-rollup';

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

describe('StreamRollup, monthly grain', () => {
  it('keys the charge month (its first day) and sums every measure of its spec, consumed quantity included', () => {
    const r = new StreamRollup(MONTHLY_DETAIL_SPEC);
    const key = MONTHLY_DETAIL_SPEC.key.map((k, i) =>
      k.column === 'tags_normalized' ? '{"team":"ml"}' : k.blankForNull && i % 3 === 0 ? null : `v${i}`,
    );
    for (const [day, billed, qty] of [
      ['2024-01-02', '1.10', '3'],
      ['2024-01-31', '2.2', '0.5'],
      ['2024-02-01', '7', null],
    ] as const) {
      r.begin(day, '2024-01-01');
      for (const v of key) r.partString(v);
      const m = new Measures();
      m.setString(0, billed);
      m.setString(1, null);
      m.setString(4, qty);
      r.finish(m);
    }
    expect([...r.days()].sort()).toEqual(['2024-01-01', '2024-02-01']);
    const lines = Buffer.concat([...r.copyText(3)])
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .sort()
      .map((l) => l.split('\t'));
    const columns = rollupColumns(MONTHLY_DETAIL_SPEC);
    const january = Object.fromEntries(columns.map((c, i) => [c, lines[0]?.[i]]));
    expect(lines[0]).toHaveLength(columns.length);
    expect(january).toMatchObject({
      month: '2024-01-01',
      source_id: '3',
      billed_cost: '3.30',
      effective_cost: '\\N',
      consumed_quantity: '3.5',
      effective_cost_missing: '2',
      line_items: '2',
      tags_normalized: '{"team":"ml"}',
      provider_name: 'v0',
      billing_account_id: 'v1',
      sub_account_id: 'v2',
      service_name: '', // null -> '' (blankForNull)
    });
    expect(Object.fromEntries(columns.map((c, i) => [c, lines[1]?.[i]]))).toMatchObject({
      month: '2024-02-01',
      billed_cost: '7',
      consumed_quantity: '\\N',
    });
  });
});

describe('DecimalSum', () => {
  it('adds decimal strings exactly, plain ones on the safe-integer path and the rest through BigInt', () => {
    const values = [
      '0.1',
      '0.2',
      '-0.30',
      '123456789012345',
      '-99999999999999.99',
      '1e-3',
      '.5',
      '5.',
      '98765432109876543210.123456789',
      '-0',
    ];
    const sum = new DecimalSum();
    for (const v of values) sum.addString(v);
    // By hand: 0.1 + 0.2 - 0.3 = 0; 123456789012345 - 99999999999999.99 = 23456789012345.01; + 0.001 + 0.5 + 5
    // = 23456789012350.511; + 98765432109876543210.123456789 = 98765455566665555560.634456789.
    expect(sum.value()).toBe('98765455566665555560.634456789');
    const tiny = new DecimalSum();
    for (let i = 0; i < 1000; i++) tiny.addString('0.001');
    expect(tiny.value()).toBe('1.000');
    expect(new DecimalSum().value()).toBeNull();
  });
});
