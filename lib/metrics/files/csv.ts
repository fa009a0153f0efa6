import { readLines } from './lines';
import { sampleTime } from './timestamp';
import { type MetricFileReader, metricFileError, NUMBER_RE, SeriesBuffer, sampleValueProblem } from './types';

/**
 * A plain `timestamp,value` CSV: one metric (`--metric`) of one resource (`--resource-id`), e.g. a
 * CloudWatch or Azure Monitor download. An optional header (a first line whose first cell is not
 * a time) names the columns in errors; cells may be double-quoted. Values are in the metric's
 * canonical unit (percent, bytes/s, bytes).
 */
function unquote(cell: string): string {
  const t = cell.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replaceAll('""', '"').trim() : t;
}

export const readPlainCsv: MetricFileReader = async function* (opts, _stats, onProgress) {
  const { file, provider, resourceId, metric } = opts;
  if (!resourceId || !metric)
    throw metricFileError(
      file,
      undefined,
      undefined,
      'a timestamp,value CSV needs --metric and --resource-id (one metric of one resource)',
    );
  const buffer = new SeriesBuffer();
  let names = ['timestamp', 'value'];
  let first = true;
  for await (const { text, line } of readLines(file, onProgress)) {
    if (!text.trim()) continue;
    const cells = text.split(',').map(unquote);
    if (first) {
      first = false;
      let isTime = true;
      try {
        sampleTime(cells[0] ?? '');
      } catch {
        isTime = false;
      }
      if (!isTime) {
        if (cells.length !== 2)
          throw metricFileError(file, line, undefined, `the header has ${cells.length} columns; expected timestamp,value`);
        names = cells;
        continue;
      }
    }
    if (cells.length !== 2) throw metricFileError(file, line, undefined, `${cells.length} columns; expected timestamp,value`);
    const [timeText, valueText] = cells as [string, string];
    let t: number;
    try {
      t = sampleTime(timeText);
    } catch {
      throw metricFileError(file, line, names[0], `"${timeText}" is not a date/time`);
    }
    if (!NUMBER_RE.test(valueText)) throw metricFileError(file, line, names[1], `"${valueText}" is not a number`);
    const v = Number(valueText);
    const problem = sampleValueProblem(metric, v);
    if (problem) throw metricFileError(file, line, names[1], `"${valueText}" ${problem}`);
    buffer.add({ provider, resourceId, metric }, t, v);
    if (buffer.full) yield* buffer.drain();
  }
  if (first) throw metricFileError(file, undefined, undefined, 'the file is empty');
  yield* buffer.drain();
};
