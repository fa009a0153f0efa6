// Rightsizing on NAB's recorded CloudWatch series against the shipped catalog. The expected type is
// found here by a plain scan of the catalog's CSV files with the rule's stated policy (p99 CPU and,
// when measured, p95 memory against 80 %; same family first, then current-generation families;
// never less memory when memory was not measured), quantiles by nearest rank from the files.
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../../tests/helpers/db';
import {
  type CatalogRow,
  catalogRows,
  days,
  ingestBill,
  nearestRank,
  readSeries,
  seedInstance,
} from '../../../tests/helpers/recommendations';
import { getPool } from '../../db/pool';
import { ALPHA } from '../../metrics/sketch';
import { recomputeRecommendations } from '../engine';
import { rightsizeRule } from './rightsize';

const OVERSIZED = readSeries('rds_cpu_utilization_cc0c53.csv');
const LOW = readSeries('ec2_cpu_utilization_53ea38.csv');
const START = new Date('2014-02-14T14:30:00Z');
const NOW = new Date('2014-02-28T14:30:00Z');
const AWS = catalogRows('aws', 'us-east-1');
const M5_XLARGE = AWS.find((r) => r.type === 'm5.xlarge') as CatalogRow;

interface Row {
  proposed_type: string | null;
  monthly_cost: string | null;
  monthly_savings: string | null;
  evidence: { statistic: string; value: number; threshold: number; notes: string[]; details: Record<string, unknown> };
}

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

async function rec(resourceId: string): Promise<Row | undefined> {
  const [row] = await sql<Row>(
    url,
    "SELECT proposed_type, monthly_cost::text, monthly_savings::text, evidence FROM recommendations WHERE resource_id = $1 AND kind = 'rightsize'",
    [resourceId],
  );
  return row;
}

/** The cheapest row by price, then newer generation, then name. */
function cheapestOf(rows: CatalogRow[]): CatalogRow | undefined {
  return [...rows].sort(
    (a, b) => (a.hourly as number) - (b.hourly as number) || b.generation - a.generation || a.type.localeCompare(b.type),
  )[0];
}

function expected(current: CatalogRow, cpuP99: number, memP95: number | null): CatalogRow | undefined {
  const needV = (current.vcpus * cpuP99) / 80;
  const needM = memP95 === null ? current.memoryMib : (current.memoryMib * memP95) / 80;
  const fits = AWS.filter(
    (r) =>
      r.type !== current.type &&
      r.arch === current.arch &&
      r.gpus === current.gpus &&
      r.gpuModel === current.gpuModel &&
      r.gpuMemoryMib >= current.gpuMemoryMib &&
      !/^t\d/.test(r.family) &&
      r.vcpus >= needV &&
      r.memoryMib >= needM &&
      r.hourly !== null &&
      r.hourly < (current.hourly as number),
  );
  return (
    cheapestOf(fits.filter((r) => r.family === current.family)) ?? cheapestOf(fits.filter((r) => r.family !== current.family && r.current))
  );
}

describe('rightsize', () => {
  it('CPU only: a cheaper type with at least as much memory, and a note that memory was not measured', async () => {
    await seedInstance(
      { resourceId: 'i-cpu-only', state: 'running', resourceType: 'm5.xlarge', regionId: 'us-east-1' },
      { cpu_utilization: OVERSIZED },
    );
    await ingestBill(
      'rightsize:cpu-only',
      days('2014-01-30', 30).map((day) => ({ resourceId: 'i-cpu-only', day, billed: '4.608' })),
    );
    await recomputeRecommendations(getPool(), { now: NOW, rules: [rightsizeRule] });

    const p99 = nearestRank(OVERSIZED, 0.99, START, NOW);
    const want = expected(M5_XLARGE, p99, null);
    expect(want).toBeDefined();
    expect(want?.memoryMib).toBeGreaterThanOrEqual(M5_XLARGE.memoryMib);
    const r = await rec('i-cpu-only');
    expect(r?.proposed_type).toBe(want?.type);
    expect(r?.evidence.statistic).toBe('p99');
    expect(Math.abs((r?.evidence.value as number) - p99)).toBeLessThanOrEqual(p99 * ALPHA + 0.001);
    expect(r?.evidence.threshold).toBe(80);
    expect(r?.evidence.notes).toContain('Memory was not measured: no type with less memory was considered.');
    // 30 × 4.608 = 138.24; the saving is that × (1 − new/old) from the catalog's prices.
    expect(r?.monthly_cost).toBe('138.240');
    const fraction = 1 - (want?.hourly as number) / (M5_XLARGE.hourly as number);
    expect(Number(r?.monthly_savings)).toBeCloseTo(138.24 * fraction, 4);
  });

  it('CPU and memory measured: the same family first, sized to both statistics', async () => {
    await seedInstance(
      { resourceId: 'i-with-memory', state: 'running', resourceType: 'm5.xlarge', regionId: 'us-east-1' },
      // A second recorded percent series stands in for the memory utilization.
      { cpu_utilization: OVERSIZED, memory_utilization: LOW },
    );
    await recomputeRecommendations(getPool(), { now: NOW, rules: [rightsizeRule] });
    const want = expected(M5_XLARGE, nearestRank(OVERSIZED, 0.99, START, NOW), nearestRank(LOW, 0.95, START, NOW));
    expect(want?.family).toBe('m5');
    const r = await rec('i-with-memory');
    expect(r?.proposed_type).toBe(want?.type);
    expect(r?.evidence.notes).toContain('Same family (m5).');
    expect(r?.evidence.notes).not.toContain('Memory was not measured: no type with less memory was considered.');
  });

  it('proposes nothing for fewer than 30 hours of data, or for a load that needs every vCPU it has', async () => {
    await seedInstance(
      { resourceId: 'i-day-of-data', state: 'running', resourceType: 'm5.xlarge', regionId: 'us-east-1' },
      { cpu_utilization: { t: OVERSIZED.t.slice(-288), v: OVERSIZED.v.slice(-288) } },
    );
    const full = readSeries('ec2_cpu_utilization_77c1ca.csv');
    await seedInstance(
      { resourceId: 'i-saturated', state: 'running', resourceType: 'm5.xlarge', regionId: 'us-east-1' },
      { cpu_utilization: full },
    );
    await recomputeRecommendations(getPool(), { now: NOW, rules: [rightsizeRule] });
    expect(await rec('i-day-of-data')).toBeUndefined();
    const end = new Date((full.t.at(-1) as number) + 1);
    const p99 = nearestRank(full, 0.99, new Date(end.getTime() - 14 * 86_400_000), end);
    expect(expected(M5_XLARGE, p99, null)).toBeUndefined();
    await recomputeRecommendations(getPool(), { now: end, rules: [rightsizeRule] });
    expect(await rec('i-saturated')).toBeUndefined();
  });

  it('a GPU machine with little CPU load keeps its GPUs: a smaller type with the same GPU, never a cheaper GPU', async () => {
    const g5 = AWS.find((r) => r.type === 'g5.4xlarge') as CatalogRow;
    await seedInstance(
      { resourceId: 'i-gpu-box', state: 'running', resourceType: 'g5.4xlarge', regionId: 'us-east-1' },
      { cpu_utilization: LOW, memory_utilization: LOW },
    );
    await recomputeRecommendations(getPool(), { now: NOW, rules: [rightsizeRule] });
    const want = expected(g5, nearestRank(LOW, 0.99, START, NOW), nearestRank(LOW, 0.95, START, NOW));
    // A cheaper T4 machine (g4dn) would fit the CPU and memory; the oracle, like the rule, keeps the A10G.
    expect(AWS.some((r) => r.family === 'g4dn' && r.gpus === 1 && (r.hourly as number) < (g5.hourly as number))).toBe(true);
    expect(want?.gpuModel).toBe(g5.gpuModel);
    const r = await rec('i-gpu-box');
    expect(r?.proposed_type).toBe(want?.type);
    expect(r?.evidence.notes).toContain(`GPUs kept as they are (1 × ${g5.gpuModel}); the GPU rule judges their use.`);
  });
});
