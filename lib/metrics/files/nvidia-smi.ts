import type { MetricName } from '../names';
import { readLines } from './lines';
import { sampleTime } from './timestamp';
import { type MetricFileReader, metricFileError, NUMBER_RE, SeriesBuffer, sampleValueProblem } from './types';

/**
 * `nvidia-smi --query-gpu=timestamp,uuid,utilization.gpu,memory.used,memory.total,… --format=csv`
 * (with or without `,nounits`, `-l N` appended to one file, headers repeated when a log is
 * restarted). One row per GPU per query; the GPU is its UUID, the machine `--resource-id`. Other
 * queried columns are ignored. nvidia-smi writes `[N/A]` (and other bracketed notes) where it has
 * no value, e.g. utilization of a GPU in MIG mode: such a cell is left out and counted, not an
 * error. nvidia-smi writes the machine's local time without a zone; it is read as UTC (run
 * nvidia-smi with TZ=UTC).
 */
const COLUMNS: Record<string, { metric: MetricName; units: Record<string, number> }> = {
  'utilization.gpu': { metric: 'gpu_utilization', units: { '%': 1 } },
  'memory.used': { metric: 'gpu_memory_used', units: { MiB: 1024 * 1024, GiB: 1024 ** 3, KiB: 1024, B: 1 } },
  'memory.total': { metric: 'gpu_memory_total', units: { MiB: 1024 * 1024, GiB: 1024 ** 3, KiB: 1024, B: 1 } },
};

interface Header {
  text: string;
  width: number;
  time: number;
  uuid: number;
  metrics: { index: number; name: string; metric: MetricName; units: Record<string, number>; headerUnit: string | null }[];
}

/** The header's column names without their `[unit]`, as nvidia-smi prints them. */
export function nvidiaSmiColumns(line: string): { name: string; unit: string | null }[] {
  return line.split(',').map((c) => {
    const m = /^\s*([^[]*?)\s*(?:\[([^\]]*)\])?\s*$/.exec(c);
    return { name: (m?.[1] ?? c).trim(), unit: m?.[2] ?? null };
  });
}

export function isNvidiaSmiHeader(line: string): boolean {
  const names = new Set(nvidiaSmiColumns(line).map((c) => c.name));
  return names.has('timestamp') && (names.has('uuid') || names.has('gpu_uuid'));
}

function parseHeader(file: string, line: number, text: string): Header {
  const cols = nvidiaSmiColumns(text);
  const find = (...names: string[]) => cols.findIndex((c) => names.includes(c.name));
  const time = find('timestamp');
  const uuid = find('uuid', 'gpu_uuid');
  if (time === -1 || uuid === -1)
    throw metricFileError(
      file,
      line,
      undefined,
      'an nvidia-smi log starts with a header naming timestamp and uuid (--query-gpu=timestamp,uuid,…)',
    );
  const metrics: Header['metrics'] = [];
  cols.forEach((c, index) => {
    const spec = COLUMNS[c.name];
    if (spec) metrics.push({ index, name: c.name, metric: spec.metric, units: spec.units, headerUnit: c.unit });
  });
  if (!metrics.length) throw metricFileError(file, line, undefined, `no ${Object.keys(COLUMNS).join(', ')} column: nothing to import`);
  return { text: text.trim(), width: cols.length, time, uuid, metrics };
}

export const readNvidiaSmi: MetricFileReader = async function* (opts, stats, onProgress) {
  const { file, provider, resourceId } = opts;
  if (!resourceId) throw metricFileError(file, undefined, undefined, 'nvidia-smi logs need --resource-id (the machine the GPUs are in)');
  const buffer = new SeriesBuffer();
  let header: Header | null = null;
  for await (const { text, line } of readLines(file, onProgress)) {
    if (!text.trim()) continue;
    if (!header) {
      header = parseHeader(file, line, text);
      continue;
    }
    if (text.trim() === header.text) continue;
    const cells = text.split(',');
    if (cells.length !== header.width)
      throw metricFileError(file, line, undefined, `${cells.length} columns where the header has ${header.width}`);
    const timeText = (cells[header.time] as string).trim();
    let t: number;
    try {
      t = sampleTime(timeText);
    } catch {
      throw metricFileError(file, line, 'timestamp', `"${timeText}" is not a date/time (nvidia-smi writes 2026/07/14 08:12:53.353)`);
    }
    const uuid = (cells[header.uuid] as string).trim();
    if (!uuid || uuid.startsWith('[')) throw metricFileError(file, line, 'uuid', `"${uuid}" is not a GPU UUID`);
    for (const col of header.metrics) {
      const raw = (cells[col.index] as string).trim();
      if (raw.startsWith('[') && raw.endsWith(']')) {
        stats.notAvailable++;
        continue;
      }
      const m = /^(\S+?)(?:\s+(\S+))?$/.exec(raw);
      const numberText = m?.[1] ?? '';
      const unit = m?.[2] ?? col.headerUnit;
      const factor = unit === null ? undefined : col.units[unit];
      if (!NUMBER_RE.test(numberText) || factor === undefined)
        throw metricFileError(
          file,
          line,
          col.name,
          `"${raw}" is not a number in ${Object.keys(col.units).join(' or ')}${unit && factor === undefined ? ` (unit ${unit})` : ''}`,
        );
      const v = Number(numberText) * factor;
      const problem = sampleValueProblem(col.metric, v);
      if (problem) throw metricFileError(file, line, col.name, `"${raw}" ${problem}`);
      buffer.add({ provider, resourceId, subResourceId: uuid, metric: col.metric }, t, v);
    }
    if (buffer.full) yield* buffer.drain();
  }
  if (!header) throw metricFileError(file, undefined, undefined, 'the file is empty');
  yield* buffer.drain();
};
