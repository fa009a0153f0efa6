import { IngestError } from '../../ingest/types';
import { readPlainCsv } from './csv';
import { isDcgmLine, readDcgm } from './dcgm';
import { readLines } from './lines';
import { isNvidiaSmiHeader, readNvidiaSmi } from './nvidia-smi';
import { type MetricFileFormat, type MetricFileReader, metricFileError } from './types';

export const READERS: Record<MetricFileFormat, MetricFileReader> = {
  'nvidia-smi': readNvidiaSmi,
  dcgm: readDcgm,
  csv: readPlainCsv,
};

/**
 * `--format auto`: the first line that is not blank decides. A Prometheus comment or a DCGM
 * series is a DCGM scrape, a header naming timestamp and uuid an nvidia-smi log, two
 * comma-separated cells a timestamp,value CSV.
 */
export async function detectMetricFormat(file: string): Promise<MetricFileFormat> {
  for await (const { text, line } of readLines(file)) {
    if (!text.trim()) continue;
    if (isDcgmLine(text)) return 'dcgm';
    if (isNvidiaSmiHeader(text)) return 'nvidia-smi';
    if (text.split(',').length === 2) return 'csv';
    throw new IngestError(
      `${file}, line ${line}: not a metrics file Burnrate reads (an nvidia-smi --query-gpu CSV log, a DCGM exporter scrape, or a timestamp,value CSV); give --format if it is one`,
      { file, line, code: 'UNKNOWN_FORMAT' },
    );
  }
  throw metricFileError(file, undefined, undefined, 'the file is empty');
}
