// Metric files into a real database: nvidia-smi query logs captured on real GPUs, a DCGM exporter
// scrape (with the timestamps a saved scrape carries), a plain CloudWatch CSV. Expected values are
// read off the fixtures by hand (the cells are quoted in the comments), converted with the units
// nvidia-smi and DCGM document (MiB = 1,048,576 bytes).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../../tests/helpers/db';
import { removeTempDirs, tempDir } from '../../../tests/helpers/temp-dir';
import { IngestError } from '../../ingest/types';
import { detectMetricFormat } from './detect';
import { importMetricFile } from './import';

afterAll(removeTempDirs);

const FIX = 'tests/fixtures/metrics';
const MIB = 1048576;

let url: string;
let dir: string;
beforeAll(async () => {
  url = await useTestDatabase();
  dir = await tempDir('burnrate-metric-files-');
});

/** Stored samples of a resource as [sub_resource_id, metric, ISO time, value]. */
async function stored(resourceId: string): Promise<[string, string, string, number][]> {
  const rows = await sql<{ sub: string; metric: string; ts: Date; value: number }>(
    url,
    `SELECT r.sub_resource_id AS sub, s.metric, m.ts, m.value
       FROM metric_samples m JOIN metric_series s ON s.id = m.series_id JOIN resources r ON r.id = s.resource_pk
      WHERE r.resource_id = $1 ORDER BY 1, 2, 3`,
    [resourceId],
  );
  return rows.map((r) => [r.sub, r.metric, r.ts.toISOString(), r.value]);
}

async function failure(p: Promise<unknown>): Promise<IngestError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IngestError);
  return error as IngestError;
}

describe('metric files', () => {
  it('detects each format from its first line', async () => {
    expect(await detectMetricFormat(`${FIX}/nvidia-smi-h100-80gb-hbm3.csv`)).toBe('nvidia-smi');
    expect(await detectMetricFormat(`${FIX}/dcgm-t4-scrapes.prom`)).toBe('dcgm');
    expect(await detectMetricFormat(`${FIX}/ec2_cpu_utilization_24ae8d.csv`)).toBe('csv');
    const odd = path.join(dir, 'odd.txt');
    await writeFile(odd, 'hello world\n');
    const e = await failure(detectMetricFormat(odd));
    expect(e.message).toMatch(/odd\.txt, line 1: not a metrics file/);
    expect(e.detail.code).toBe('UNKNOWN_FORMAT');
  });

  it('nvidia-smi: an H100 idle then under gpu-burn, utilization in percent and memory in bytes under the GPU UUID', async () => {
    const s = await importMetricFile({
      file: `${FIX}/nvidia-smi-h100-80gb-hbm3.csv`,
      format: 'auto',
      provider: 'aws',
      resourceId: 'i-0h100',
    });
    expect(s).toMatchObject({
      format: 'nvidia-smi',
      samples: 6,
      series: 3,
      notAvailable: 0,
      gpus: ['GPU-00000000-0000-0000-0000-000000000000'],
    });
    const gpu = 'GPU-00000000-0000-0000-0000-000000000000';
    // Rows: "2026/07/14 08:12:38.696 … 81559 MiB, 479 MiB, 0 MiB, … 0 %" and "08:12:53.353 … 19818 MiB … 100 %".
    expect(await stored('i-0h100')).toEqual([
      [gpu, 'gpu_memory_total', '2026-07-14T08:12:38.696Z', 81559 * MIB],
      [gpu, 'gpu_memory_total', '2026-07-14T08:12:53.353Z', 81559 * MIB],
      [gpu, 'gpu_memory_used', '2026-07-14T08:12:38.696Z', 0],
      [gpu, 'gpu_memory_used', '2026-07-14T08:12:53.353Z', 19818 * MIB],
      [gpu, 'gpu_utilization', '2026-07-14T08:12:38.696Z', 0],
      [gpu, 'gpu_utilization', '2026-07-14T08:12:53.353Z', 100],
    ]);
    const [res] = await sql<{ kind: string; provider: string }>(url, "SELECT kind, provider FROM resources WHERE resource_id = 'i-0h100'");
    expect(res).toEqual({ kind: 'gpu', provider: 'aws' });
  });

  it('nvidia-smi: a GPU in MIG mode reports utilization as [N/A]: those cells are left out and counted, memory is kept', async () => {
    const s = await importMetricFile({ file: `${FIX}/nvidia-smi-h100-mig.csv`, format: 'nvidia-smi', resourceId: 'i-0mig' });
    expect(s).toMatchObject({ samples: 4, notAvailable: 2, metrics: ['gpu_memory_total', 'gpu_memory_used'] });
    const used = (await stored('i-0mig')).filter((r) => r[1] === 'gpu_memory_used').map((r) => r[3]);
    expect(used).toEqual([59 * MIB, 11125 * MIB]);
  });

  it('nvidia-smi: several GPUs, nounits, a repeated header and CRLF lines', async () => {
    const file = path.join(dir, 'two-gpus.csv');
    const header = 'timestamp, uuid, utilization.gpu [%], memory.used [MiB], memory.total [MiB]';
    await writeFile(
      file,
      [
        header,
        '2025/01/02 03:04:05.000, GPU-aaaa, 7, 100, 40960',
        '2025/01/02 03:04:05.000, GPU-bbbb, 93, 30000, 40960',
        header,
        '2025/01/02 03:09:05.000, GPU-aaaa, 3, 100, 40960',
        '',
      ].join('\r\n'),
    );
    const s = await importMetricFile({ file, format: 'auto', resourceId: 'host-2gpu' });
    expect(s).toMatchObject({
      samples: 9,
      series: 6,
      gpus: ['GPU-aaaa', 'GPU-bbbb'],
      start: '2025-01-02T03:04:05.000Z',
      end: '2025-01-02T03:09:05.000Z',
    });
    const util = (await stored('host-2gpu')).filter((r) => r[1] === 'gpu_utilization');
    expect(util).toEqual([
      ['GPU-aaaa', 'gpu_utilization', '2025-01-02T03:04:05.000Z', 7],
      ['GPU-aaaa', 'gpu_utilization', '2025-01-02T03:09:05.000Z', 3],
      ['GPU-bbbb', 'gpu_utilization', '2025-01-02T03:04:05.000Z', 93],
    ]);
  });

  it('nvidia-smi: a bad cell fails the whole file naming line, column and value, and stores nothing of it', async () => {
    const file = path.join(dir, 'bad.csv');
    await writeFile(
      file,
      'timestamp, uuid, utilization.gpu [%], memory.used [MiB]\n2025/01/02 03:04:05.000, GPU-c, 7 %, 10 MiB\n2025/01/02 03:04:10.000, GPU-c, 7O %, 10 MiB\n',
    );
    const e = await failure(importMetricFile({ file, format: 'auto', resourceId: 'host-bad' }));
    expect(e.message).toBe(`${file}, line 3, column utilization.gpu: "7O %" is not a number in %`);
    expect(await sql(url, "SELECT 1 FROM resources WHERE resource_id = 'host-bad'")).toEqual([]);
    const noId = await failure(importMetricFile({ file: `${FIX}/nvidia-smi-l40s.csv`, format: 'auto' }));
    expect(noId.message).toMatch(/nvidia-smi-l40s\.csv: nvidia-smi logs need --resource-id/);
  });

  it('DCGM: a Tesla T4 scrape saved three times with timestamps; FB_USED + FB_FREE is the total, MiB stored as bytes', async () => {
    const s = await importMetricFile({ file: `${FIX}/dcgm-t4-scrapes.prom`, format: 'auto', resourceId: 'vm-t4' });
    const gpu = 'GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e';
    expect(s).toMatchObject({
      format: 'dcgm',
      gpus: [gpu],
      samples: 9,
      metrics: ['gpu_memory_total', 'gpu_memory_used', 'gpu_utilization'],
    });
    // DCGM_FI_DEV_GPU_UTIL 0, DCGM_FI_DEV_FB_FREE 15109, DCGM_FI_DEV_FB_USED 0 in each scrape.
    const rows = await stored('vm-t4');
    expect(rows.filter((r) => r[2] === '2025-07-14T08:02:00.000Z')).toEqual([
      [gpu, 'gpu_memory_total', '2025-07-14T08:02:00.000Z', 15109 * MIB],
      [gpu, 'gpu_memory_used', '2025-07-14T08:02:00.000Z', 0],
      [gpu, 'gpu_utilization', '2025-07-14T08:02:00.000Z', 0],
    ]);
    expect(rows).toHaveLength(9);
  });

  it('DCGM: graphics-engine-active (a ratio) is preferred over GPU_UTIL; SM active kept; the Hostname label names the machine', async () => {
    const file = path.join(dir, 'dcgm-prof.prom');
    const l = (g: string) => `{gpu="${g}",UUID="GPU-p${g}",Hostname="node-7",modelName="NVIDIA A100 \\"SXM\\""}`;
    await writeFile(
      file,
      [
        '# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).',
        '# TYPE DCGM_FI_DEV_GPU_UTIL gauge',
        `DCGM_FI_DEV_GPU_UTIL${l('0')} 100 1700000000000`,
        `DCGM_FI_DEV_GPU_UTIL${l('1')} 40 1700000000000`,
        `DCGM_FI_PROF_GR_ENGINE_ACTIVE${l('0')} 0.125 1700000000000`,
        `DCGM_FI_PROF_SM_ACTIVE${l('0')} 0.25 1700000000000`,
        `DCGM_FI_DEV_SM_CLOCK${l('0')} 1410 1700000000000`,
        `DCGM_FI_DEV_GPU_UTIL${l('0')} 100 1700000015000`,
        `DCGM_FI_PROF_GR_ENGINE_ACTIVE${l('0')} 0.5 1700000015000`,
      ].join('\n'),
    );
    const s = await importMetricFile({ file, format: 'dcgm', provider: 'gcp' });
    expect(s.resources).toEqual(['node-7']);
    expect(await stored('node-7')).toEqual([
      ['GPU-p0', 'gpu_sm_active', '2023-11-14T22:13:20.000Z', 25],
      ['GPU-p0', 'gpu_utilization', '2023-11-14T22:13:20.000Z', 12.5],
      ['GPU-p0', 'gpu_utilization', '2023-11-14T22:13:35.000Z', 50],
      ['GPU-p1', 'gpu_utilization', '2023-11-14T22:13:20.000Z', 40],
    ]);
  });

  it('DCGM: a scrape without timestamps is refused at the first sample Burnrate reads, naming its line', async () => {
    const e = await failure(importMetricFile({ file: `${FIX}/dcgm-datadog-metrics.txt`, format: 'auto', resourceId: 'vm-x' }));
    expect(e.message).toMatch(/dcgm-datadog-metrics\.txt, line 21, column DCGM_FI_DEV_GPU_UTIL: the sample has no timestamp/);
    expect(await sql(url, "SELECT 1 FROM resources WHERE resource_id = 'vm-x'")).toEqual([]);
  });

  it('CSV: a CloudWatch series with its header; --metric and --resource-id are required', async () => {
    const file = `${FIX}/ec2_cpu_utilization_24ae8d.csv`;
    const s = await importMetricFile({ file, format: 'auto', provider: 'aws', resourceId: 'i-0csv', metric: 'cpu_utilization' });
    // 4032 rows from "2014-02-14 14:30:00" to "2014-02-28 14:25:00" (the file's first and last).
    expect(s).toMatchObject({
      format: 'csv',
      samples: 4032,
      series: 1,
      start: '2014-02-14T14:30:00.000Z',
      end: '2014-02-28T14:25:00.000Z',
    });
    const e = await failure(importMetricFile({ file, format: 'csv', resourceId: 'i-0csv' }));
    expect(e.message).toMatch(/needs --metric and --resource-id/);
  });

  it('CSV: a bad value or time names line, column and value; a percentage above 100 is refused; nothing is stored', async () => {
    const file = path.join(dir, 'cpu.csv');
    await writeFile(file, 'Timestamp,Value\n"2024-05-01T00:00:00Z","12.5"\n2024-05-01T00:05:00Z,1,5\n');
    const cols = await failure(importMetricFile({ file, format: 'csv', resourceId: 'i-0c', metric: 'cpu_utilization' }));
    expect(cols.message).toBe(`${file}, line 3: 3 columns; expected timestamp,value`);
    await writeFile(file, 'Timestamp,Value\n2024-05-01T00:00:00Z,12.5\n2024-05-01T00:05:00Z,100.5\n');
    const high = await failure(importMetricFile({ file, format: 'csv', resourceId: 'i-0c', metric: 'cpu_utilization' }));
    expect(high.message).toBe(`${file}, line 3, column Value: "100.5" is above 100 %`);
    await writeFile(file, '2024-05-01T00:00:00Z,12.5\n2024-13-01T00:05:00Z,1\n');
    const time = await failure(importMetricFile({ file, format: 'csv', resourceId: 'i-0c', metric: 'network_in' }));
    expect(time.message).toBe(`${file}, line 2, column timestamp: "2024-13-01T00:05:00Z" is not a date/time`);
    expect(await sql(url, "SELECT 1 FROM resources WHERE resource_id = 'i-0c'")).toEqual([]);
  });

  it('CSV: epoch seconds and milliseconds; re-importing the same file replaces its samples', async () => {
    const file = path.join(dir, 'net.csv');
    await writeFile(file, '1714521600,1000\n1714521900000,2500.5\n');
    for (let i = 0; i < 2; i++) await importMetricFile({ file, format: 'csv', resourceId: 'i-0net', metric: 'network_out' });
    expect(await stored('i-0net')).toEqual([
      ['', 'network_out', '2024-05-01T00:00:00.000Z', 1000],
      ['', 'network_out', '2024-05-01T00:05:00.000Z', 2500.5],
    ]);
  });
});
