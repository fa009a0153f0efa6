// Month close keeps team figures (migration 0026): billed cost per team under the team tag rule of
// the close. A restated file shows as a team's difference; a later change of the tag rule does not,
// since today's figures are computed with the rule kept with the close. Figures worked out by hand.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import type { Actor } from '../auth/actor';
import { withTransaction } from '../db/pool';
import { ingestFile } from '../ingest/pipeline';
import { parseRuleForm, saveTagRule } from '../tags/rules';
import { closedTeamDifference, closeMonth } from './close';

afterAll(removeTempDirs);

const HEADER =
  'ProviderName,BillingAccountId,SubAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,ServiceCategory,RegionId,BilledCost,EffectiveCost,ListCost,ContractedCost,BillingCurrency,Tags';

// [day of March, service, billed, currency, tags]
type Line = [string, string, string, string, string];

function csv(lines: Line[]): string {
  const rows = lines.map(([day, svc, billed, cur, tags]) =>
    [
      'AWS',
      'a1',
      's1',
      '2026-03-01T00:00:00Z',
      '2026-04-01T00:00:00Z',
      `2026-03-${day}T00:00:00Z`,
      `2026-03-${day}T23:59:59Z`,
      'Usage',
      svc,
      'Compute',
      'us-east-1',
      billed,
      billed,
      billed,
      billed,
      cur,
      tags ? `"${tags.replaceAll('"', '""')}"` : '',
    ].join(','),
  );
  return `${HEADER}\n${rows.join('\n')}\n`;
}

const MARCH: Line[] = [
  ['02', 'EC2', '40.00', 'USD', '{"Team":"ML"}'],
  ['03', 'EC2', '10.50', 'USD', '{"team":"ml"}'],
  ['04', 'S3', '5.25', 'USD', '{"owner":"web"}'],
  ['05', 'S3', '1.00', 'USD', ''],
  ['06', 'VM', '7.00', 'EUR', '{"team":"web"}'],
];
// Restated: web's S3 becomes 6.00 and an untagged 0.40 appears.
const RESTATED: Line[] = [
  ...MARCH.slice(0, 2),
  ['04', 'S3', '6.00', 'USD', '{"owner":"web"}'],
  ['05', 'S3', '1.40', 'USD', ''],
  MARCH[4] as Line,
];

const cli: Actor = { kind: 'cli', osUser: 'close-teams-test' };
let url: string;
let dir: string;

async function ingest(name: string, lines: Line[]) {
  const file = path.join(dir, name);
  await writeFile(file, csv(lines));
  await ingestFile({ file, sourceName: 'close-teams' });
}

async function teamRule(keys: string) {
  await withTransaction((c) => saveTagRule(c, parseRuleForm({ concept: 'team', keys, caseFold: true, mappings: '' }), 'test'));
}

beforeAll(async () => {
  url = await useTestDatabase();
  dir = await tempDir('burnrate-close-teams-');
  await ingest('march.csv', MARCH);
  await teamRule('team\nowner');
});

describe('month close: team figures', () => {
  it('keeps billed cost per team under the rule of the close, and the rule with it', async () => {
    await closeMonth('2026-03', cli, new Date('2026-04-02T09:00:00Z'));
    const diff = await closedTeamDifference('2026-03');
    expect(diff?.rule).toEqual({ keys: ['team', 'owner'], caseFold: true, mappings: [] });
    // ML and ml are one team (case-folded): 40.00 + 10.50; web through the owner key.
    expect(diff?.rows.map((r) => [r.currency, r.team, r.closedBilled, r.billedDifference])).toEqual([
      ['EUR', 'web', '7.00', '0.00'],
      ['USD', '', '1.00', '0.00'],
      ['USD', 'ml', '50.50', '0.00'],
      ['USD', 'web', '5.25', '0.00'],
    ]);
    const [kept] = await sql<{ n: string }>(url, "SELECT count(*)::text AS n FROM month_close_team_figures WHERE month = '2026-03-01'");
    expect(kept?.n).toBe('4');
  });

  it('a restatement shows per team; a later rule change does not', async () => {
    await ingest('march-restated.csv', RESTATED);
    await teamRule('team'); // owner no longer counts: web's S3 would be untagged under today's rule
    const diff = await closedTeamDifference('2026-03');
    expect(diff?.rows.map((r) => [r.currency, r.team, r.closedBilled, r.currentBilled, r.billedDifference])).toEqual([
      ['EUR', 'web', '7.00', '7.00', '0.00'],
      ['USD', '', '1.00', '1.40', '0.40'],
      ['USD', 'ml', '50.50', '50.50', '0.00'],
      ['USD', 'web', '5.25', '6.00', '0.75'],
    ]);
  });

  it('a month never closed has no team figures', async () => {
    expect(await closedTeamDifference('2026-02')).toBeNull();
  });
});
