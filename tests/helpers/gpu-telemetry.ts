// Reads the real nvidia-smi readings of tests/fixtures/metrics/gpu (see its SOURCE.md): for the
// idle and the load state of one GPU, the five `dmon` SM-utilization readings and the `query-gpu`
// row's memory.used / memory.total. Written for the tests, independently of the product's parsers.
import { readFileSync } from 'node:fs';
import type { SampleBatch } from '../../lib/inventory/types';

export interface GpuState {
  /** dmon `sm` column, percent, one reading a second. */
  sm: number[];
  memoryUsedMib: number;
  memoryTotalMib: number;
  name: string;
}

export interface GpuCapture {
  file: string;
  idle: GpuState;
  load: GpuState;
}

export const CAPTURES = {
  h100: 'tests/fixtures/metrics/gpu/nvidia-smi-h100-80gb-hbm3.txt',
  h200: 'tests/fixtures/metrics/gpu/nvidia-smi-h200.txt',
  l40s: 'tests/fixtures/metrics/gpu/nvidia-smi-l40s.txt',
} as const;

function section(lines: string[], title: RegExp): string[] {
  const start = lines.findIndex((l) => title.test(l));
  if (start < 0) throw new Error(`no section ${title}`);
  const out: string[] = [];
  for (let i = start + 1; i < lines.length && !/^# (idle|load) :: /.test(lines[i] as string); i++) out.push(lines[i] as string);
  return out;
}

function readState(lines: string[], state: 'idle' | 'load'): GpuState {
  const dmon = section(lines, new RegExp(`^# ${state} :: dmon`));
  const header =
    dmon
      .find((l) => l.startsWith('# gpu'))
      ?.slice(1)
      .trim()
      .split(/\s+/) ?? [];
  const smCol = header.indexOf('sm');
  if (smCol < 0) throw new Error(`${state} dmon has no sm column`);
  const sm = dmon.filter((l) => /^\s+\d/.test(l)).map((l) => Number(l.trim().split(/\s+/)[smCol]));
  const query = section(lines, new RegExp(`^# ${state} :: query-gpu`)).filter((l) => l !== '' && !l.startsWith('#'));
  const names = (query[0] ?? '').split(', ').map((s) => s.trim());
  const values = (query[1] ?? '').split(', ').map((s) => s.trim());
  const get = (col: string) => {
    const i = names.indexOf(col);
    if (i < 0) throw new Error(`${state} query-gpu has no ${col}`);
    return values[i] as string;
  };
  return {
    sm,
    memoryUsedMib: Number(get('memory.used [MiB]').replace(' MiB', '')),
    memoryTotalMib: Number(get('memory.total [MiB]').replace(' MiB', '')),
    name: get('name'),
  };
}

export function readCapture(file: string): GpuCapture {
  const lines = readFileSync(file, 'utf8').split('\n');
  return { file, idle: readState(lines, 'idle'), load: readState(lines, 'load') };
}

export interface GpuPlan {
  provider: 'aws' | 'azure' | 'gcp';
  machineId: string;
  uuid: string;
  capture: GpuCapture;
  /** First hour (epoch ms, on the hour) and number of hours. */
  start: number;
  hours: number;
  /** Which state's SM readings an hour (0-based from start) repeats. */
  util: (hour: number) => 'idle' | 'load';
  /** Which state's memory.used the whole series holds. */
  memory: 'idle' | 'load';
  stepMinutes?: number;
}

export interface GpuSamples {
  batches: SampleBatch[];
  timestamps: number[];
  util: number[];
  memoryUsedBytes: number;
  memoryTotalBytes: number;
}

const MIB = 1024 * 1024;

/**
 * A GPU's utilization, memory used and memory total series: every `stepMinutes` a reading, the
 * utilization cycling through the five real `dmon` readings of the hour's state.
 */
export function gpuSamples(plan: GpuPlan): GpuSamples {
  const step = plan.stepMinutes ?? 10;
  const perHour = 60 / step;
  const timestamps: number[] = [];
  const util: number[] = [];
  for (let h = 0; h < plan.hours; h++) {
    const readings = plan.capture[plan.util(h)].sm;
    for (let k = 0; k < perHour; k++) {
      timestamps.push(plan.start + h * 3_600_000 + k * step * 60_000);
      util.push(readings[(h * perHour + k) % readings.length] as number);
    }
  }
  const memoryUsedBytes = plan.capture[plan.memory].memoryUsedMib * MIB;
  const memoryTotalBytes = plan.capture[plan.memory].memoryTotalMib * MIB;
  const id = { provider: plan.provider, resourceId: plan.machineId, subResourceId: plan.uuid };
  return {
    timestamps,
    util,
    memoryUsedBytes,
    memoryTotalBytes,
    batches: [
      { ...id, metric: 'gpu_utilization', timestamps, values: util },
      { ...id, metric: 'gpu_memory_used', timestamps, values: timestamps.map(() => memoryUsedBytes) },
      { ...id, metric: 'gpu_memory_total', timestamps, values: timestamps.map(() => memoryTotalBytes) },
    ],
  };
}

/** Nearest-rank quantile of raw values: the tests' independent oracle for the sketch quantiles. */
export function nearestRank(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}
