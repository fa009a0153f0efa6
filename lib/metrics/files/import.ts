import { withTransaction } from '../../db/pool';
import { IngestError } from '../../ingest/types';
import type { SampleBatch } from '../../inventory/types';
import type { ResourceProvider } from '../../resources/normalize';
import type { MetricName } from '../names';
import { importSamples } from '../store';
import { detectMetricFormat, READERS } from './detect';
import type { MetricFileFormat, ReadProgress, ReadStats } from './types';

const METRIC_NAMES_READ: Record<MetricFileFormat, string> = {
  'nvidia-smi': 'utilization.gpu, memory.used or memory.total',
  dcgm: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE, DCGM_FI_DEV_GPU_UTIL, DCGM_FI_PROF_SM_ACTIVE or DCGM_FI_DEV_FB_USED',
  csv: 'timestamp,value rows',
};

export interface MetricImportProgress extends ReadProgress {
  samples: number;
}

export interface MetricImportSummary {
  file: string;
  format: MetricFileFormat;
  /** Machines or resources the samples belong to, and the GPUs (UUIDs) among them. */
  resources: string[];
  gpus: string[];
  metrics: MetricName[];
  series: number;
  samples: number;
  /** Cells the file marks as not available (nvidia-smi `[N/A]`), left out. */
  notAvailable: number;
  hours: number;
  start: string | null;
  end: string | null;
  durationMs: number;
}

/**
 * Imports one metrics file in one transaction: every sample of it or, on any error, none
 * (the error names the file, line, column and value).
 */
export async function importMetricFile(opts: {
  file: string;
  format: MetricFileFormat | 'auto';
  provider?: ResourceProvider;
  resourceId?: string;
  metric?: MetricName;
  onProgress?: (p: MetricImportProgress) => void;
}): Promise<MetricImportSummary> {
  const started = performance.now();
  const format = opts.format === 'auto' ? await detectMetricFormat(opts.file) : opts.format;
  const stats: ReadStats = { notAvailable: 0 };
  let read: ReadProgress = { bytesRead: 0, totalBytes: 0 };
  let samples = 0;
  const resources = new Set<string>();
  const gpus = new Set<string>();
  const metrics = new Set<MetricName>();
  const batches = READERS[format](
    { file: opts.file, provider: opts.provider ?? 'other', resourceId: opts.resourceId, metric: opts.metric },
    stats,
    (p) => {
      read = p;
    },
  );
  async function* seen(): AsyncGenerator<SampleBatch> {
    for await (const b of batches) {
      resources.add(b.resourceId);
      if (b.subResourceId) gpus.add(b.subResourceId);
      metrics.add(b.metric);
      yield b;
    }
  }
  const summary = await withTransaction(async (client) => {
    const s = await importSamples(client, seen(), {
      label: opts.file,
      onProgress: (n) => {
        samples = n;
        opts.onProgress?.({ ...read, samples });
      },
    });
    // A file without one sample of a metric Burnrate keeps is a mistake (the wrong file, the
    // wrong query), not an empty success.
    if (s.samples === 0)
      throw new IngestError(`${opts.file}: no samples of ${METRIC_NAMES_READ[format]} in the file`, {
        file: opts.file,
        code: 'EMPTY_FILE',
      });
    return s;
  });
  return {
    file: opts.file,
    format,
    resources: [...resources].sort(),
    gpus: [...gpus].sort(),
    metrics: [...metrics].sort(),
    series: summary.series,
    samples: summary.samples,
    notAvailable: stats.notAvailable,
    hours: summary.hours,
    start: summary.start?.toISOString() ?? null,
    end: summary.end?.toISOString() ?? null,
    durationMs: Math.round(performance.now() - started),
  };
}
