import type { SampleBatch } from '../../inventory/types';
import type { MetricName } from '../names';
import { readLines } from './lines';
import { type MetricFileReader, metricFileError, NUMBER_RE, sampleValueProblem } from './types';

/**
 * DCGM exporter scrapes (Prometheus text exposition) saved with a timestamp on each sample:
 * `DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-…",Hostname="…"} 42 1752480000000`. Timestamps are
 * epoch milliseconds as the exposition format defines them (one with a decimal point is read as
 * OpenMetrics' seconds). The GPU is the `UUID` label; the machine is `--resource-id`, or else the
 * `Hostname` label.
 *
 * gpu_utilization comes from DCGM_FI_PROF_GR_ENGINE_ACTIVE (a 0..1 ratio, ×100) for a GPU that
 * has it anywhere in the file, else from DCGM_FI_DEV_GPU_UTIL (percent); gpu_sm_active from
 * DCGM_FI_PROF_SM_ACTIVE (×100); gpu_memory_used from DCGM_FI_DEV_FB_USED and gpu_memory_total
 * from FB_USED + FB_FREE at the same instant (DCGM reports MiB; stored in bytes). Other series
 * are skipped unread. A scrape holds every GPU's samples together, so a file is gathered whole
 * before its batches are handed on (a day of 15-second scrapes of 8 GPUs is ~250k numbers).
 */
const FIELDS = {
  DCGM_FI_PROF_GR_ENGINE_ACTIVE: 'gr',
  DCGM_FI_DEV_GPU_UTIL: 'util',
  DCGM_FI_PROF_SM_ACTIVE: 'sm',
  DCGM_FI_DEV_FB_USED: 'used',
  DCGM_FI_DEV_FB_FREE: 'free',
} as const;
type Field = (typeof FIELDS)[keyof typeof FIELDS];

const MIB = 1024 * 1024;
const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

export function isDcgmLine(line: string): boolean {
  return /^\s*#\s*(HELP|TYPE)\s/.test(line) || /^DCGM_FI_[A-Z0-9_]+[{\s]/.test(line);
}

/** Label values of `{a="x",b="y\"z"}` starting at `s` (the `{`); returns them and the index after `}`. */
function parseLabels(text: string, s: number): { labels: Map<string, string>; end: number } | null {
  const labels = new Map<string, string>();
  let i = s + 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return { labels, end: i + 1 };
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i, i + 200))?.[0];
    if (!name) return null;
    i += name.length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=' || text[i + 1] !== '"') return null;
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) return null;
      if (c === '"') break;
      if (c === '\\') {
        const e = text[i + 1];
        value += e === 'n' ? '\n' : (e ?? '');
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    labels.set(name, value);
    i++;
  }
}

export const readDcgm: MetricFileReader = async function* (opts, _stats, onProgress) {
  const { file, provider } = opts;
  // machine → GPU UUID → field → time → value
  const gpus = new Map<string, Map<string, Record<Field, Map<number, number>>>>();
  let sawSample = false;
  for await (const { text, line } of readLines(file, onProgress)) {
    const trimmed = text.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const name = NAME_RE.exec(trimmed)?.[0];
    if (!name) throw metricFileError(file, line, undefined, `"${trimmed.slice(0, 80)}" is not a metric sample`);
    sawSample = true;
    const field = (FIELDS as Record<string, Field>)[name];
    if (!field) continue;
    let rest = trimmed.slice(name.length);
    let labels = new Map<string, string>();
    if (rest.startsWith('{')) {
      const parsed = parseLabels(rest, 0);
      if (!parsed) throw metricFileError(file, line, name, `cannot read the labels of "${trimmed.slice(0, 120)}"`);
      labels = parsed.labels;
      rest = rest.slice(parsed.end);
    }
    const [valueText = '', timeText, extra] = rest.trim().split(/\s+/);
    if (extra !== undefined) throw metricFileError(file, line, name, `"${rest.trim()}" has more than a value and a timestamp`);
    if (!NUMBER_RE.test(valueText)) throw metricFileError(file, line, name, `value "${valueText}" is not a number`);
    if (timeText === undefined)
      throw metricFileError(
        file,
        line,
        name,
        'the sample has no timestamp (save scrapes with the time of each, in epoch milliseconds, after the value)',
      );
    if (!/^\d{9,13}(\.\d+)?$/.test(timeText)) throw metricFileError(file, line, name, `timestamp "${timeText}" is not epoch milliseconds`);
    const t = timeText.includes('.') ? Math.round(Number(timeText) * 1000) : Number(timeText);
    const uuid = labels.get('UUID');
    if (!uuid) throw metricFileError(file, line, name, 'the sample has no UUID label (which GPU it is)');
    const machine = opts.resourceId ?? labels.get('Hostname');
    if (!machine)
      throw metricFileError(file, line, name, 'no --resource-id given and the sample has no Hostname label (which machine it is)');
    const v = Number(valueText);
    let perMachine = gpus.get(machine);
    if (!perMachine) {
      perMachine = new Map();
      gpus.set(machine, perMachine);
    }
    let perGpu = perMachine.get(uuid);
    if (!perGpu) {
      perGpu = { gr: new Map(), util: new Map(), sm: new Map(), used: new Map(), free: new Map() };
      perMachine.set(uuid, perGpu);
    }
    const scaled = field === 'gr' || field === 'sm' ? v * 100 : v;
    const metric: MetricName =
      field === 'gr' || field === 'util' ? 'gpu_utilization' : field === 'sm' ? 'gpu_sm_active' : 'gpu_memory_used';
    const problem = sampleValueProblem(metric, scaled);
    if (problem) throw metricFileError(file, line, name, `value "${valueText}" ${problem}`);
    perGpu[field].set(t, scaled);
  }
  if (!sawSample) throw metricFileError(file, undefined, undefined, 'no metric samples in the file');
  for (const [resourceId, perMachine] of gpus) {
    for (const [uuid, f] of perMachine) {
      const batch = (metric: MetricName, samples: Iterable<[number, number]>): SampleBatch => {
        const sorted = [...samples].sort((a, b) => a[0] - b[0]);
        return { provider, resourceId, subResourceId: uuid, metric, timestamps: sorted.map((s) => s[0]), values: sorted.map((s) => s[1]) };
      };
      const total: [number, number][] = [];
      for (const [t, used] of f.used) {
        const free = f.free.get(t);
        if (free !== undefined) total.push([t, (used + free) * MIB]);
      }
      const out = [
        batch('gpu_utilization', (f.gr.size ? f.gr : f.util).entries()),
        batch('gpu_sm_active', f.sm.entries()),
        batch(
          'gpu_memory_used',
          [...f.used].map(([t, v]) => [t, v * MIB] as [number, number]),
        ),
        batch('gpu_memory_total', total),
      ];
      for (const b of out) if (b.values.length) yield b;
    }
  }
};
