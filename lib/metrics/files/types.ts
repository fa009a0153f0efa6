import { IngestError } from '../../ingest/types';
import type { SampleBatch } from '../../inventory/types';
import type { ResourceProvider } from '../../resources/normalize';
import { METRICS, type MetricName } from '../names';

/**
 * Metric files (`npm run metrics -- import`): nvidia-smi `--query-gpu=… --format=csv` logs, DCGM
 * exporter scrapes with timestamps, and a plain `timestamp,value` CSV. Each reader streams its file
 * line by line and yields SampleBatches in canonical names and units (lib/metrics/names.ts); a
 * value it cannot read is an IngestError naming the file, the line, the column and the value.
 */
export const METRIC_FILE_FORMATS = ['nvidia-smi', 'dcgm', 'csv'] as const;
export type MetricFileFormat = (typeof METRIC_FILE_FORMATS)[number];

export interface MetricFileOptions {
  file: string;
  provider: ResourceProvider;
  /** The machine (nvidia-smi, DCGM) or resource (CSV) the samples belong to. */
  resourceId?: string;
  /** CSV only: the canonical metric the values are. */
  metric?: MetricName;
}

/** What a reader reports as it goes. */
export interface ReadProgress {
  bytesRead: number;
  totalBytes: number;
}

/** Samples a reader left out on purpose, e.g. nvidia-smi's `[N/A]` (a MIG-enabled GPU's utilization). */
export interface ReadStats {
  notAvailable: number;
}

export type MetricFileReader = (
  opts: MetricFileOptions,
  stats: ReadStats,
  onProgress?: (p: ReadProgress) => void,
) => AsyncIterable<SampleBatch>;

export function metricFileError(file: string, line: number | undefined, column: string | undefined, message: string): IngestError {
  return new IngestError(`${file}${line ? `, line ${line}` : ''}${column ? `, column ${column}` : ''}: ${message}`, {
    file,
    line,
    column,
    code: 'BAD_VALUE',
  });
}

/**
 * Why a value cannot be a sample of `metric` (null when it can): samples are finite, never
 * negative, and percentages stay within 0..100.
 */
export function sampleValueProblem(metric: MetricName, v: number): string | null {
  if (!Number.isFinite(v)) return 'is not a finite number';
  if (v < 0) return 'is negative';
  if (METRICS[metric].unit === 'percent' && v > 100) return 'is above 100 %';
  return null;
}

/** A plain decimal number as metric files write them (no thousands separators, no NaN/Inf). */
export const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Samples of several series gathered while reading, handed on in batches of about `flushAt`
 * samples so a long file never sits in memory whole.
 */
export class SeriesBuffer {
  private series = new Map<string, SampleBatch>();
  private buffered = 0;

  constructor(private readonly flushAt = 50_000) {}

  add(identity: Omit<SampleBatch, 'timestamps' | 'values'>, t: number, v: number): void {
    const key = `${identity.resourceId}\u0000${identity.subResourceId ?? ''}\u0000${identity.metric}`;
    let b = this.series.get(key);
    if (!b) {
      b = { ...identity, timestamps: [], values: [] };
      this.series.set(key, b);
    }
    b.timestamps.push(t);
    b.values.push(v);
    this.buffered++;
  }

  get full(): boolean {
    return this.buffered >= this.flushAt;
  }

  /** The batches gathered since the last drain. */
  *drain(): Generator<SampleBatch> {
    const batches = [...this.series.values()];
    this.series.clear();
    this.buffered = 0;
    for (const b of batches) if (b.values.length) yield b;
  }
}
