// The GPU page's query against a real database: GPU series built from real nvidia-smi readings
// (tests/fixtures/metrics/gpu), bills ingested from a FOCUS file through the real ingest, and every
// figure checked against literals worked out by hand in the comments.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../tests/helpers/db';
import { gpuTestCatalog } from '../../tests/helpers/gpu-catalog';
import { CAPTURES, gpuSamples, readCapture } from '../../tests/helpers/gpu-telemetry';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { withTransaction } from '../db/pool';
import { ingestFile } from '../ingest/pipeline';
import type { SampleBatch } from '../inventory/types';
import { importSamples } from '../metrics/store';
import { upsertResources } from '../resources/store';
import { type GpuFleet, getGpuFleet } from './gpu-fleet';

afterAll(removeTempDirs);

const h100 = readCapture(CAPTURES.h100);
const l40s = readCapture(CAPTURES.l40s);
const START = Date.parse('2026-11-28T00:00:00Z');

const HEADER =
  'BillingCurrency,ProviderName,BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,RegionId,ResourceId,BilledCost,EffectiveCost';
function line(currency: string, resource: string, day: string, billed: string, effective: string): string {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return `${currency},AWS,999,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,${day}T00:00:00Z,${next}T00:00:00Z,Usage,Amazon EC2,us-east-1,${resource},${billed},${effective}`;
}

let fleet: GpuFleet;

beforeAll(async () => {
  await useTestDatabase();
  const dir = await tempDir('gpu-fleet-');
  // Two files: one per currency, since a FOCUS file may mix them but a billing source keeps one each here.
  const usd = path.join(dir, 'usd.csv');
  await writeFile(
    usd,
    [
      HEADER,
      // i-fleet-a (g5.12xlarge: 4 GPUs in the catalog, 2 reporting): 100 before the window, 120 a day in it.
      line('USD', 'i-fleet-a', '2026-11-27', '110.00', '100.00'),
      line('USD', 'i-fleet-a', '2026-11-28', '130.00', '120.00'),
      line('USD', 'i-fleet-a', '2026-11-29', '130.00', '120.00'),
      // i-fleet-c: a p5.48xlarge known from the inventory only, no GPU rows: spend, not fleet. Its
      // bill names it by its EC2 ARN, the inventory by its id.
      line('USD', 'arn:aws:ec2:us-east-1:999:instance/i-fleet-c', '2026-11-27', '10', '10'),
      line('USD', 'arn:aws:ec2:us-east-1:999:instance/i-fleet-c', '2026-11-28', '10', '10'),
      line('USD', 'arn:aws:ec2:us-east-1:999:instance/i-fleet-c', '2026-11-29', '10', '10'),
      // A CPU machine: neither.
      line('USD', 'i-cpu', '2026-11-28', '5', '5'),
      '',
    ].join('\n'),
  );
  const eur = path.join(dir, 'eur.csv');
  await writeFile(
    eur,
    [
      HEADER,
      // i-fleet-b (g6e.xlarge, 1 GPU): no effective cost the first day (billed 40 counts), 38 the second.
      line('EUR', 'i-fleet-b', '2026-11-28', '40.00', ''),
      line('EUR', 'i-fleet-b', '2026-11-29', '41.00', '38.00'),
      '',
    ].join('\n'),
  );
  await ingestFile({ file: usd, format: 'focus', sourceName: 'usd' });
  await ingestFile({ file: eur, format: 'focus', sourceName: 'eur' });

  const batches: SampleBatch[] = [
    // a0: the loaded H100 readings (100 %) all 48 hours.
    ...gpuSamples({
      provider: 'aws',
      machineId: 'i-fleet-a',
      uuid: 'GPU-a0',
      capture: h100,
      start: START,
      hours: 48,
      util: () => 'load',
      memory: 'load',
    }).batches,
    // a1: loaded for the first 12 hours, idle (0 %) for the other 36.
    ...gpuSamples({
      provider: 'aws',
      machineId: 'i-fleet-a',
      uuid: 'GPU-a1',
      capture: h100,
      start: START,
      hours: 48,
      util: (h) => (h < 12 ? 'load' : 'idle'),
      memory: 'load',
    }).batches,
    // b0: the L40S encoding (sm 10, 9, 9, 9, 10 over and over) all 48 hours.
    ...gpuSamples({
      provider: 'aws',
      machineId: 'i-fleet-b',
      uuid: 'GPU-b0',
      capture: l40s,
      start: START,
      hours: 48,
      util: () => 'load',
      memory: 'load',
    }).batches,
  ];
  await withTransaction(async (c) => {
    await upsertResources(
      c,
      [
        {
          provider: 'aws',
          resourceId: 'i-fleet-a',
          kind: 'instance',
          resourceType: 'g5.12xlarge',
          accountId: '111',
          regionId: 'us-east-1',
          tags: { team: 'ml' },
        },
        { provider: 'aws', resourceId: 'i-fleet-a', subResourceId: 'GPU-a0', kind: 'gpu', resourceType: 'NVIDIA A10G' },
        { provider: 'aws', resourceId: 'i-fleet-a', subResourceId: 'GPU-a1', kind: 'gpu', resourceType: 'NVIDIA A10G' },
        { provider: 'aws', resourceId: 'i-fleet-b', kind: 'instance', resourceType: 'g6e.xlarge', accountId: '222', regionId: 'us-east-1' },
        {
          provider: 'aws',
          resourceId: 'i-fleet-b',
          subResourceId: 'GPU-b0',
          kind: 'gpu',
          resourceType: 'NVIDIA L40S',
          tags: { Team: 'vision' },
        },
        { provider: 'aws', resourceId: 'i-fleet-c', kind: 'instance', resourceType: 'p5.48xlarge', accountId: '111' },
        { provider: 'aws', resourceId: 'i-cpu', kind: 'instance', resourceType: 'm5.large', accountId: '111' },
      ],
      { origin: 'inventory' },
    );
    await importSamples(c, batches, { label: 'gpu-fleet' });
  });
  fleet = await getGpuFleet({
    window: { from: '2026-11-28', to: '2026-11-29' },
    spendRange: { from: '2026-11-27', to: '2026-11-29' },
    catalog: gpuTestCatalog(),
  });
}, 120_000);

const gpu = (uuid: string) => fleet.gpus.find((g) => g.uuid === uuid);

describe('GPU fleet', () => {
  it('lists every GPU with its machine type, team and account', () => {
    expect(fleet.gpus.map((g) => [g.uuid, g.machineType, g.team, g.account, g.machineGpus])).toEqual([
      ['GPU-a0', 'g5.12xlarge', 'ml', '111', 4],
      ['GPU-a1', 'g5.12xlarge', 'ml', '111', 4],
      ['GPU-b0', 'g6e.xlarge', 'vision', '222', 1],
    ]);
  });

  it('splits the machine’s window cost over its catalog GPU count and prices idle and useful hours', () => {
    // i-fleet-a: 120 + 120 = 240 USD in the window, ÷ 4 GPUs = 60 each.
    // a0: 48 hours at 100 %: useful 48, nothing idle, 60 / 48 = 1.25 per useful hour.
    expect(gpu('GPU-a0')).toMatchObject({ gpuHours: 48, idleHours: 0, meanUtilization: 100, usefulHours: '48.0000' });
    expect(gpu('GPU-a0')?.costs).toEqual([{ currency: 'USD', cost: '60', idleCost: '0', costPerUsefulHour: '1.25' }]);
    // a1: 12 hours at 100 %, 36 at 0: mean 25 %, useful 12, idle 36 → 60 × 36 / 48 = 45 idle; 60 / 12 = 5.
    expect(gpu('GPU-a1')).toMatchObject({ gpuHours: 48, idleHours: 36, meanUtilization: 25, usefulHours: '12.0000' });
    expect(gpu('GPU-a1')?.costs).toEqual([{ currency: 'USD', cost: '60', idleCost: '45', costPerUsefulHour: '5' }]);
  });

  it('uses the billed cost where the export gave no effective cost, in the bill’s own currency', () => {
    // b0: 40 (billed, no effective) + 38 = 78 EUR. 288 samples cycling 10, 9, 9, 9, 10: 57 full cycles
    // (47 each) and 10, 9, 9 = 2707 → mean 2707 / 288 %; useful = 48 × 2707 / 288 / 100 = 4.511666… → 4.5117;
    // 78 / 4.5117 = 17.2883835… → 17.288384. No hour's mean under 5 %.
    const b0 = gpu('GPU-b0');
    expect(b0?.meanUtilization).toBeCloseTo(2707 / 288, 9);
    expect(b0).toMatchObject({ gpuHours: 48, idleHours: 0, usefulHours: '4.5117' });
    expect(b0?.costs).toEqual([{ currency: 'EUR', cost: '78', idleCost: '0', costPerUsefulHour: '17.288384' }]);
  });

  it('groups by team and by account with the sums of cost and useful hours', () => {
    // ml: 60 + 60 = 120 USD, idle 0 + 45, useful 48 + 12 = 60 → 2 per useful hour.
    expect(fleet.byTeam).toEqual([
      {
        key: 'ml',
        gpus: 2,
        gpuHours: 96,
        idleHours: 36,
        usefulHours: '60.0000',
        costs: [{ currency: 'USD', cost: '120', idleCost: '45', costPerUsefulHour: '2' }],
      },
      {
        key: 'vision',
        gpus: 1,
        gpuHours: 48,
        idleHours: 0,
        usefulHours: '4.5117',
        costs: [{ currency: 'EUR', cost: '78', idleCost: '0', costPerUsefulHour: '17.288384' }],
      },
    ]);
    // The fleet: both currencies apart; useful hours 48 + 12 + 4.5117.
    expect(fleet.total).toEqual({
      gpus: 3,
      gpuHours: 144,
      idleHours: 36,
      usefulHours: '64.5117',
      costs: [
        { currency: 'EUR', cost: '78', idleCost: '0', costPerUsefulHour: '17.288384' },
        { currency: 'USD', cost: '120', idleCost: '45', costPerUsefulHour: '2' },
      ],
    });
    expect(fleet.byAccount.map((g) => [g.key, g.gpus, g.costs.map((c) => `${c.cost} ${c.currency}`)])).toEqual([
      ['111', 2, ['120 USD']],
      ['222', 1, ['78 EUR']],
    ]);
  });

  it('lays each GPU’s hourly means out by day and hour of day, and the fleet’s mean of them', () => {
    expect(fleet.days).toEqual(['2026-11-28', '2026-11-29']);
    const a1 = gpu('GPU-a1')?.heatmap;
    expect(a1?.[0]?.slice(0, 12)).toEqual(Array(12).fill(100));
    expect(a1?.[0]?.slice(12)).toEqual(Array(12).fill(0));
    expect(a1?.[1]).toEqual(Array(24).fill(0));
    // Hour 0 of b0: readings 0-5 of the cycle = 10, 9, 9, 9, 10, 10 → 57 / 6 = 9.5. Fleet: (100 + 100 + 9.5) / 3.
    expect(gpu('GPU-b0')?.heatmap[0]?.[0]).toBeCloseTo(9.5, 9);
    expect(fleet.fleetHeatmap[0]?.[0]).toBeCloseTo(209.5 / 3, 9);
  });

  it('without a threshold given, takes the GPU rule’s idle-hour setting and the shipped catalog', async () => {
    await withTransaction((c) => c.query(`INSERT INTO rule_settings (rule, parameter, value) VALUES ('gpu', 'idleHourMean', '10'::jsonb)`));
    const set = await getGpuFleet({
      window: { from: '2026-11-28', to: '2026-11-29' },
      spendRange: { from: '2026-11-29', to: '2026-11-29' },
    });
    // Every hour of b0 averages 9.33 to 9.5 % (< 10): all 48 idle, so its whole 78 EUR is idle cost.
    const b0 = set.gpus.find((g) => g.uuid === 'GPU-b0');
    expect(b0).toMatchObject({ idleHours: 48, machineGpus: 1 });
    expect(b0?.costs[0]).toMatchObject({ currency: 'EUR', idleCost: '78' });
    // The shipped catalog also gives g5.12xlarge 4 GPUs.
    expect(set.gpus.find((g) => g.uuid === 'GPU-a0')?.machineGpus).toBe(4);
    expect(set.idleBelow).toBe(10);
  });

  it('GPU spend per day and currency: machines with GPU rows or a GPU type, never a CPU machine', () => {
    // USD: 11-27 100 + 10; 11-28 120 + 10; 11-29 120 + 10 (i-cpu's 5 left out). EUR: 40, 38.
    expect(fleet.spend).toEqual([
      {
        currency: 'EUR',
        total: '78.00',
        points: [
          { day: '2026-11-27', amount: '0' },
          { day: '2026-11-28', amount: '40.00' },
          { day: '2026-11-29', amount: '38.00' },
        ],
      },
      {
        currency: 'USD',
        total: '370.00',
        points: [
          { day: '2026-11-27', amount: '110.00' },
          { day: '2026-11-28', amount: '130.00' },
          { day: '2026-11-29', amount: '130.00' },
        ],
      },
    ]);
  });
});
