// The GPU rule against a real database, on series built from real nvidia-smi readings (idle and
// under load: H100, H200, L40S; tests/fixtures/metrics/gpu). Each machine below is one case; the
// expected kinds, proposed types and savings fractions are worked out by hand in the comments
// from the fixture's readings and the test catalog's literal prices (tests/helpers/gpu-catalog.ts),
// and the evidence's statistics are checked against nearest-rank statistics of the samples.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../../tests/helpers/db';
import { gpuTestCatalog } from '../../../tests/helpers/gpu-catalog';
import { CAPTURES, type GpuPlan, type GpuSamples, gpuSamples, nearestRank, readCapture } from '../../../tests/helpers/gpu-telemetry';
import { removeTempDirs, tempDir } from '../../../tests/helpers/temp-dir';
import { loadCatalog } from '../../catalog/load';
import { getPool, withTransaction } from '../../db/pool';
import { ingestFile } from '../../ingest/pipeline';
import type { ResourceRecord, SampleBatch } from '../../inventory/types';
import { ALPHA } from '../../metrics/sketch';
import { importSamples } from '../../metrics/store';
import { upsertResources } from '../../resources/store';
import { recomputeRecommendations } from '../engine';
import type { Finding } from '../types';
import { gpuRule, parseMigProfile, smallestMigProfile } from './gpu';

const h100 = readCapture(CAPTURES.h100);
const h200 = readCapture(CAPTURES.h200);
const l40s = readCapture(CAPTURES.l40s);

const NOW = new Date('2026-11-30T00:00:00Z');
const HOURS = 14 * 24;
const START = NOW.getTime() - HOURS * 3_600_000;
const always = (s: 'idle' | 'load') => () => s;

interface Machine {
  provider: 'aws' | 'gcp';
  id: string;
  type: string;
  region: string;
  gpus: Omit<GpuPlan, 'provider' | 'machineId' | 'uuid' | 'start' | 'hours'>[];
  hours?: number;
}

const uuid = (machine: string, i: number) => `GPU-${machine}-${i}`;

const MACHINES: Machine[] = [
  // A. Eight H200s, every one as the capture's idle H200 (sm 0, 0 MiB used): one machine finding.
  {
    provider: 'aws',
    id: 'i-h200idle',
    type: 'p5e.48xlarge',
    region: 'us-east-1',
    gpus: Array(8).fill({ capture: h200, util: always('idle'), memory: 'idle' }),
  },
  // B. An H100 with the idle readings (sm 0) holding the load state's 19818 of 81559 MiB (24.3 % ≥ 10 %).
  {
    provider: 'aws',
    id: 'i-h100held',
    type: 'p5.4xlarge',
    region: 'us-east-1',
    gpus: [{ capture: h100, util: always('idle'), memory: 'load' }],
  },
  // C. An H100 under gpu-burn 09:00-12:00 UTC every day, idle otherwise.
  {
    provider: 'aws',
    id: 'i-h100bursty',
    type: 'p5.4xlarge',
    region: 'us-east-1',
    gpus: [{ capture: h100, util: (h) => (h % 24 >= 9 && h % 24 < 12 ? 'load' : 'idle'), memory: 'load' }],
  },
  // D. The L40S encoding video all the time (sm 9-10 %, 1235 MiB): under-used, one GPU.
  {
    provider: 'aws',
    id: 'i-l40s',
    type: 'g6e.xlarge',
    region: 'us-east-1',
    gpus: [{ capture: l40s, util: always('load'), memory: 'load' }],
  },
  // E. Eight A10Gs: two as the loaded H100 readings (100 %, 19818 MiB), six as the L40S encoding (9-10 %, 1235 MiB).
  {
    provider: 'aws',
    id: 'i-g5fewer',
    type: 'g5.48xlarge',
    region: 'us-east-1',
    gpus: [
      ...Array(2).fill({ capture: h100, util: always('load'), memory: 'load' }),
      ...Array(6).fill({ capture: l40s, util: always('load'), memory: 'load' }),
    ],
  },
  // F. Eight H100s: two loaded, six idle; no H100 type with 3 to 7 GPUs in the catalog.
  {
    provider: 'aws',
    id: 'i-p5partial',
    type: 'p5.48xlarge',
    region: 'us-east-1',
    gpus: [
      ...Array(2).fill({ capture: h100, util: always('load'), memory: 'load' }),
      ...Array(6).fill({ capture: h100, util: always('idle'), memory: 'idle' }),
    ],
  },
  // G. A GCP H100 running the L40S's light load: no smaller single GPU with as many vCPUs, so a MIG slice.
  {
    provider: 'gcp',
    id: 'a3-mig',
    type: 'a3-highgpu-1g',
    region: 'us-central1',
    gpus: [{ capture: l40s, util: always('load'), memory: 'load' }],
  },
  // G2. Eight GCP H100s each running the L40S's light load, on a type the catalog has no price for.
  {
    provider: 'gcp',
    id: 'a3-eight',
    type: 'a3-highgpu-8g',
    region: 'us-central1',
    gpus: Array(8).fill({ capture: l40s, util: always('load'), memory: 'load' }),
  },
  // H. A busy H100: no finding.
  {
    provider: 'aws',
    id: 'i-h100busy',
    type: 'p5.4xlarge',
    region: 'us-east-1',
    gpus: [{ capture: h100, util: always('load'), memory: 'load' }],
  },
  // I. An idle H100 with only 20 hours of data (< 30): not judged.
  {
    provider: 'aws',
    id: 'i-short',
    type: 'p5.4xlarge',
    region: 'us-east-1',
    hours: 20,
    gpus: [{ capture: h100, util: always('idle'), memory: 'idle' }],
  },
];

afterAll(removeTempDirs);

const samples = new Map<string, GpuSamples>();
let url: string;
let findings: Finding[];

beforeAll(async () => {
  url = await useTestDatabase();
  const batches: SampleBatch[] = [];
  const records: ResourceRecord[] = [];
  for (const m of MACHINES) {
    records.push({
      provider: m.provider,
      resourceId: m.id,
      kind: 'instance',
      resourceType: m.type,
      regionId: m.region,
      accountId: 'acct-1',
    });
    for (const [i, g] of m.gpus.entries()) {
      const hours = m.hours ?? HOURS;
      const s = gpuSamples({
        ...g,
        provider: m.provider,
        machineId: m.id,
        uuid: uuid(m.id, i),
        start: NOW.getTime() - hours * 3_600_000,
        hours,
      });
      samples.set(uuid(m.id, i), s);
      batches.push(...s.batches);
      records.push({
        provider: m.provider,
        resourceId: m.id,
        subResourceId: uuid(m.id, i),
        kind: 'gpu',
        resourceType: g.capture.idle.name,
        regionId: m.region,
      });
    }
  }
  await withTransaction(async (c) => {
    await upsertResources(c, records, { origin: 'inventory' });
    await importSamples(c, batches, { label: 'gpu-fixtures' });
  });
  findings = await gpuRule.evaluate({ db: getPool(), catalog: gpuTestCatalog(), params: {}, now: NOW });
}, 120_000);

const of = (machine: string) => findings.filter((f) => f.resourceId === machine);

/** The sketch's p95/p99 are within its relative error of the nearest-rank ones. */
function expectQuantile(shown: number, values: number[], q: number) {
  const truth = nearestRank(values, q);
  expect(Math.abs(shown - truth)).toBeLessThanOrEqual(truth * ALPHA + 0.01);
}

describe('gpu rule on real nvidia-smi readings', () => {
  it('all eight idle H200s of a machine: one machine finding, stop it, savings 1', () => {
    const [f, ...more] = of('i-h200idle');
    expect(more).toEqual([]);
    expect(f).toMatchObject({
      kind: 'gpu-idle',
      subResourceId: null,
      currentType: 'p5e.48xlarge',
      proposedType: null,
      savingsFraction: '1',
    });
    expect(f?.evidence).toMatchObject({ metric: 'gpu_utilization', statistic: 'p95', value: 0, threshold: 5, coverageHours: HOURS });
    expect(f?.evidence.details.gpusMeasured).toBe(8);
    expect(f?.evidence.window).toEqual({ start: new Date(START).toISOString(), end: NOW.toISOString() });
  });

  it('an idle H100 holding 19818 of 81559 MiB: memory held, not merely idle', () => {
    const [f, ...more] = of('i-h100held');
    expect(more).toEqual([]);
    expect(f).toMatchObject({ kind: 'gpu-memory-held', subResourceId: null, savingsFraction: '1' });
    // 19818 / 81559 = 24.299… % (by hand), shown to 2 digits.
    expect(f?.evidence.details.memoryHeldPercentMax).toBe(24.3);
  });

  it('an H100 loaded 3 hours a day: bursty, savings = its 21 idle hours of 24', () => {
    const [f, ...more] = of('i-h100bursty');
    expect(more).toEqual([]);
    const s = samples.get(uuid('i-h100bursty', 0)) as GpuSamples;
    // Mean: 3 of 24 hours at 100 % = 12.5 %; p99: 100 %; idle hours: 21 × 14 = 294 of 336 = 0.875.
    const mean = s.util.reduce((a, b) => a + b, 0) / s.util.length;
    expect(mean).toBe(12.5);
    expect(f).toMatchObject({ kind: 'gpu-bursty', subResourceId: uuid('i-h100bursty', 0), savingsFraction: '0.875' });
    expect(f?.evidence.statistic).toBe('p99');
    expectQuantile(f?.evidence.value as number, s.util, 0.99);
    expect(f?.evidence.details).toMatchObject({ idleHours: 294, mean: 12.5 });
  });

  it('the encoding L40S (p95 10 %): a smaller GPU, the cheapest that keeps the vCPUs and host memory', () => {
    const [f, ...more] = of('i-l40s');
    expect(more).toEqual([]);
    const s = samples.get(uuid('i-l40s', 0)) as GpuSamples;
    expect(nearestRank(s.util, 0.95)).toBe(10);
    // g6.xlarge has 16 GiB of host memory (< 32): out. g6.2xlarge ($0.9776) beats g5.2xlarge ($1.212).
    // Savings: (1.861 − 0.9776) / 1.861 = 0.8834 / 1.861 = 0.474691… → 0.4747.
    expect(f).toMatchObject({ kind: 'gpu-underused', subResourceId: null, proposedType: 'g6.2xlarge', savingsFraction: '0.4747' });
    expectQuantile(f?.evidence.value as number, s.util, 0.95);
  });

  it('eight A10Gs whose p95s add up to about 260 %: four GPUs at 80 % hold them, so g5.12xlarge', () => {
    const [f, ...more] = of('i-g5fewer');
    expect(more).toEqual([]);
    const sum = [...Array(8).keys()].reduce((a, i) => a + nearestRank((samples.get(uuid('i-g5fewer', i)) as GpuSamples).util, 0.95), 0);
    expect(sum).toBe(2 * 100 + 6 * 10);
    // ⌈260 / 80⌉ = 4; g5.12xlarge ($5.672) beats g5.24xlarge ($8.144).
    // Savings: (16.288 − 5.672) / 16.288 = 10.616 / 16.288 = 0.651768… → 0.6518.
    expect(f).toMatchObject({ kind: 'gpu-underused', subResourceId: null, proposedType: 'g5.12xlarge', savingsFraction: '0.6518' });
    expect(f?.evidence.details.gpusNeeded).toBe(4);
    expect(Math.abs((f?.evidence.value as number) - sum)).toBeLessThanOrEqual(sum * ALPHA);
  });

  it('six idle H100s of eight with no smaller H100 machine: one finding per idle GPU, 1/8 of the machine each', () => {
    const list = of('i-p5partial');
    expect(list.map((f) => f.subResourceId).sort()).toEqual([2, 3, 4, 5, 6, 7].map((i) => uuid('i-p5partial', i)));
    for (const f of list) expect(f).toMatchObject({ kind: 'gpu-idle', savingsFraction: '0.125', currentType: 'p5.48xlarge' });
  });

  it('a lightly loaded GCP H100: the smallest MIG slice that holds 10 % and 1235 MiB, 1g.10gb, frees 6/7', () => {
    const [f, ...more] = of('a3-mig');
    expect(more).toEqual([]);
    // 1 of 7 slices = 14.3 % ≥ 10 %; 10 GB ≥ 1235 MiB. 6 / 7 = 0.857142… → 0.8571.
    expect(f).toMatchObject({
      kind: 'gpu-underused',
      subResourceId: uuid('a3-mig', 0),
      proposedType: 'MIG 1g.10gb',
      savingsFraction: '0.8571',
    });
  });

  it('eight lightly loaded H100s on an unpriced type: the fewest-GPU type that holds them, priced by GPU count', () => {
    const [f, ...more] = of('a3-eight');
    expect(more).toEqual([]);
    // Σ p95 = 8 × 10 = 80 by nearest rank; the sketch reads each p95 up to 1 % high, so up to 80.8 →
    // ⌈80.8 / 80⌉ = 2 GPUs: a3-highgpu-2g (a3-highgpu-1g has one). No price for a3-highgpu-8g: 1 − 2/8 = 0.75.
    const sum = [...Array(8).keys()].reduce((a, i) => a + nearestRank((samples.get(uuid('a3-eight', i)) as GpuSamples).util, 0.95), 0);
    expect(sum).toBe(80);
    expect(f?.evidence.value).toBeGreaterThan(80);
    expect(f).toMatchObject({ kind: 'gpu-underused', subResourceId: null, proposedType: 'a3-highgpu-2g', savingsFraction: '0.75' });
    expect(f?.evidence.notes.join(' ')).toContain('GPU-count ratio');
  });

  it('a busy GPU and a GPU with too few hours of data get nothing', () => {
    expect(of('i-h100busy')).toEqual([]);
    expect(of('i-short')).toEqual([]);
  });

  it('parameters move the thresholds: with idleP95 at 0 the idle H200s are under-used, one MIG slice each', async () => {
    const strict = await gpuRule.evaluate({ db: getPool(), catalog: gpuTestCatalog(), params: { idleP95: 0 }, now: NOW });
    const list = strict.filter((f) => f.resourceId === 'i-h200idle');
    expect(list).toHaveLength(8);
    // p95 0 % and 0 bytes: the smallest H200 profile, 1g.18gb, frees 6/7 = 0.8571 of a GPU, ÷ 8 GPUs = 0.10714 → 0.1071.
    for (const f of list) expect(f).toMatchObject({ kind: 'gpu-underused', proposedType: 'MIG 1g.18gb', savingsFraction: '0.1071' });
  });
});

describe('priced by the engine from the machine’s own bill', () => {
  it('an idle GPU of eight saves 1/8 of its machine’s 30 days; a stopped idle machine saves all of it', async () => {
    const dir = await tempDir('gpu-rule-');
    const file = path.join(dir, 'bill.csv');
    // 30 days before NOW: 2026-10-31 … 2026-11-29. One line per machine on 2026-11-20, the p5 billed as an EC2 ARN.
    await writeFile(
      file,
      [
        'BillingCurrency,ProviderName,BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,RegionId,ResourceId,BilledCost,EffectiveCost',
        'USD,AWS,999,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,2026-11-20T00:00:00Z,2026-11-21T00:00:00Z,Usage,Amazon EC2,us-east-1,arn:aws:ec2:us-east-1:999:instance/i-p5partial,900.00,800.00',
        'USD,AWS,999,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,2026-11-20T00:00:00Z,2026-11-21T00:00:00Z,Usage,Amazon EC2,us-east-1,i-h200idle,1000.00,1000.00',
        '',
      ].join('\n'),
    );
    await ingestFile({ file, format: 'focus', sourceName: 'gpu-bill' });
    await recomputeRecommendations(getPool(), { now: NOW, catalog: gpuTestCatalog(), rules: [gpuRule] });
    const rows = await sql<{
      resource_id: string;
      sub_resource_id: string | null;
      kind: string;
      monthly_cost: string;
      monthly_savings: string;
      currency: string;
    }>(
      url,
      `SELECT resource_id, sub_resource_id, kind, monthly_cost::text, monthly_savings::text, currency
         FROM recommendations WHERE resource_id IN ('i-p5partial', 'i-h200idle') ORDER BY resource_id, sub_resource_id`,
    );
    // 800 × 0.125 = 100 per idle GPU; 1000 × 1 for the machine.
    expect(
      rows.map((r) => [r.resource_id, r.sub_resource_id, r.kind, Number(r.monthly_cost), Number(r.monthly_savings), r.currency]),
    ).toEqual([
      ['i-h200idle', null, 'gpu-idle', 1000, 1000, 'USD'],
      ...[2, 3, 4, 5, 6, 7].map((i) => ['i-p5partial', uuid('i-p5partial', i), 'gpu-idle', 800, 100, 'USD']),
    ]);
  });
});

describe('gpu rule on the shipped catalog (catalog/*.csv)', () => {
  it('finds the same kinds; the cheapest smaller GPU for the L40S is a T4, and g5.12xlarge for the eight A10Gs', async () => {
    const shipped = await gpuRule.evaluate({ db: getPool(), catalog: await loadCatalog(), params: {}, now: NOW });
    const byMachine = (id: string) => shipped.filter((f) => f.resourceId === id);
    // g4dn.2xlarge (T4 16 GiB, 8 vCPUs, 32 GiB, $0.752 in us-east-1) beats g6.2xlarge ($0.9776):
    // (1.861 − 0.752) / 1.861 = 1.109 / 1.861 = 0.595915… → 0.5959.
    expect(byMachine('i-l40s')).toMatchObject([{ kind: 'gpu-underused', proposedType: 'g4dn.2xlarge', savingsFraction: '0.5959' }]);
    // Same prices as the test catalog: (16.288 − 5.672) / 16.288 → 0.6518.
    expect(byMachine('i-g5fewer')).toMatchObject([{ kind: 'gpu-underused', proposedType: 'g5.12xlarge', savingsFraction: '0.6518' }]);
    // a3-highgpu-1g has no price in the shipped data: no resize, the H100's MIG profiles instead.
    expect(byMachine('a3-mig')).toMatchObject([{ kind: 'gpu-underused', proposedType: 'MIG 1g.10gb', savingsFraction: '0.8571' }]);
    expect(byMachine('i-h200idle')).toMatchObject([{ kind: 'gpu-idle', savingsFraction: '1' }]);
    expect(byMachine('i-p5partial')).toHaveLength(6);
  });
});

describe('MIG profiles', () => {
  it('reads slices and memory from the profile name', () => {
    expect(parseMigProfile('3g.40gb')).toEqual({ slices: 3, memoryBytes: 40e9 });
    expect(parseMigProfile('1g.10gb+me')).toBeNull();
  });

  it('picks the fewest slices that hold both the utilization and the memory', () => {
    const h100Profiles = ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'];
    // 30 % needs 3 of 7 slices (2/7 = 28.6 % is short); 15 GB needs 40 GB at 3 slices.
    expect(smallestMigProfile(h100Profiles, 30, 15e9)).toEqual({ name: '3g.40gb', slices: 3, of: 7 });
    // 10 % fits one slice; 15 GB needs the 20 GB one-slice profile.
    expect(smallestMigProfile(h100Profiles, 10, 15e9)).toEqual({ name: '1g.20gb', slices: 1, of: 7 });
    // 90 % needs all 7: no slice smaller than the GPU.
    expect(smallestMigProfile(h100Profiles, 90, 1e9)).toBeNull();
  });
});
