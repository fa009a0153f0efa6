/**
 * Inventory and utilization from a Prometheus server (any fleet, on-premises included): machines
 * from node_exporter series, GPUs from NVIDIA's DCGM exporter, and their utilization over a window
 * from range queries (`/api/v1/query_range`, POSTed form-encoded: there is no official JS client).
 *
 * A machine is known to Prometheus by a host label (node_exporter's `instance`, DCGM's `Hostname`),
 * not by its cloud id; the label mapping (`resolveMachine`) turns a series' labels into the
 * resource a bill names: a label on the series carrying the id (e.g. `instance_id` from EC2
 * service discovery relabeling), an explicit host table, or a regex over the host label applied
 * by Prometheus itself (`label_replace`, RE2 like relabel configs). Unmapped hosts stay as
 * provider `other` with the host name as id, so on-premises machines still get recommendations.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { describeIssues } from '../connectors/messages';
import { ConnectorError, type ConnectorErrorCode } from '../connectors/types';
import type { MetricName } from '../metrics/names';
import { normalizeResourceId, type ResourceProvider } from '../resources/normalize';
import type { InventoryConnector, MetricsWindow, ResourceRecord, SampleBatch } from './types';

/** Prometheus refuses a range query of more than 11,000 steps per series (web/api/v1/api.go). */
export const MAX_POINTS_PER_QUERY = 11_000;
const MAX_SPAN_SECONDS = 86_400;
/** DCGM reports frame-buffer sizes in MiB. */
const MIB = 1_048_576;
/** The label `label_replace` writes the regex-mapped resource id to. */
const MAPPED_LABEL = 'burnrate_resource_id';
/** DCGM exporter's GPU identity label (dcgm-exporter 2.x and later). */
const UUID_LABEL = 'UUID';
const MODEL_LABEL = 'modelName';
const GPU_INDEX_LABEL = 'gpu';

const LabelName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a Prometheus label name (letters, digits and underscores, not starting with a digit)');

const Provider = z.enum(['aws', 'azure', 'gcp', 'other']);

/** "host = [provider:]resource id" lines, as the form's textarea sends them, or the parsed object. */
const HostTable = z.preprocess(
  (value, ctx) => {
    if (typeof value !== 'string') return value;
    const table: Record<string, string> = {};
    for (const [i, raw] of value.split(/\r?\n/).entries()) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const eq = line.indexOf('=');
      const host = line.slice(0, eq).trim();
      const id = line.slice(eq + 1).trim();
      if (eq < 0 || host === '' || id === '')
        ctx.addIssue({ code: 'custom', message: `line ${i + 1}: expected "host = resource id" (or "host = provider:resource id")` });
      else table[host] = id;
    }
    return table;
  },
  z.record(z.string().min(1), z.string().min(1)),
);

export const PrometheusInventoryConfig = z.object({
  /** The server's base URL, with its path prefix if it has one (https://mon.example.com/prometheus). */
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://prometheus.example.com' }).refine((u) => {
    const p = new URL(u);
    return p.username === '' && p.password === '' && p.search === '' && p.hash === '';
  }, 'must not carry credentials, a query or a fragment (credentials go in the secret fields)'),
  /** Extra label matchers every query gets, in PromQL syntax: job="node",env="prod". */
  selector: z
    .string()
    .trim()
    .regex(/^[^{}\n]*$/, 'must be label matchers such as job="node",env="prod" (no braces)')
    .default(''),
  /** Where a node_exporter series names its machine (`instance` is host:port; the port is dropped). */
  nodeHostLabel: LabelName.default('instance'),
  /** Where a DCGM exporter series names its machine. */
  gpuHostLabel: LabelName.default('Hostname'),
  /** The provider of ids found by `resourceIdLabel`, `hostRegex` and table entries without a prefix. */
  provider: Provider.default('other'),
  /** A label on the series that holds the cloud resource id (relabeled from service discovery). */
  resourceIdLabel: LabelName.optional(),
  /** RE2, anchored, matched by Prometheus against the host label's whole value (port included). */
  hostRegex: z.string().min(1).optional(),
  /** What a `hostRegex` match becomes ($1, ${name} as in label_replace). */
  resourceIdReplacement: z.string().min(1).default('$1'),
  /** host → resource id, or → provider:resource id to name another provider than `provider`. */
  hosts: HostTable.default({}),
  /** Interfaces left out of network_in/out: loopback and the virtual ones that double-count container traffic. */
  networkDeviceExclude: z.string().min(1).default('lo|veth.*|docker[0-9]+|br-.*|cni[0-9]+|flannel[.].*|cali.*|virbr[0-9]+'),
  /** The scrape interval: rates and averages span at least four of them (Grafana's $__rate_interval rule). */
  scrapeIntervalSeconds: z.coerce.number().int().min(1).max(3600).default(60),
  /** How recently a machine must have been scraped to be listed. */
  lookbackMinutes: z.coerce.number().int().min(1).max(10_080).default(60),
  /** Per request. */
  timeoutSeconds: z.coerce.number().int().min(1).max(600).default(60),
});
export type PrometheusInventoryConfig = z.output<typeof PrometheusInventoryConfig>;

export const PrometheusSecret = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('bearer'), token: z.string().min(1, 'is required') }),
  z.object({ kind: z.literal('basic'), username: z.string().min(1, 'is required'), password: z.string().min(1, 'is required') }),
]);
export type PrometheusSecret = z.output<typeof PrometheusSecret>;

export interface PrometheusConnectorOptions {
  /** Attempts at a throttled or unavailable request, after the first (default 3). */
  maxRetries?: number;
  /** First wait between attempts, doubled each time (default 1000 ms). */
  retryDelayMs?: number;
}

/** One machine or GPU series resolved to the resource it belongs to. */
interface Identity {
  provider: ResourceProvider;
  resourceId: string;
  /** The host label's value without a port: the machine's name when nothing maps it. */
  host: string;
}

type Labels = Record<string, string>;

const Matrix = z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(z.tuple([z.number(), z.string()])) }));
const Vector = z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) }));
const ApiAnswer = z.object({
  status: z.enum(['success', 'error']),
  data: z.object({ resultType: z.string(), result: z.unknown() }).optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

/** host:port → host; [v6]:port → [v6]; anything else as it is. */
export function stripPort(value: string): string {
  const m = /^(\[[^\]]*\]|[^:]*):\d+$/.exec(value);
  return m?.[1] ?? value;
}

/** A PromQL string literal (Go escapes, which JSON's are a subset of). */
function str(value: string): string {
  return JSON.stringify(value);
}

export function createPrometheusConnector(
  config: z.input<typeof PrometheusInventoryConfig>,
  secret?: z.input<typeof PrometheusSecret>,
  options: PrometheusConnectorOptions = {},
): InventoryConnector {
  const parsed = PrometheusInventoryConfig.safeParse(config);
  if (!parsed.success)
    throw new ConnectorError(`Prometheus: the configuration is invalid (${describeIssues(parsed.error.issues)})`, 'CONFIG');
  const sec = PrometheusSecret.safeParse(secret ?? { kind: 'none' });
  // Paths and rules only: zod does not quote the (secret) values.
  if (!sec.success) throw new ConnectorError(`Prometheus: the credentials are invalid (${describeIssues(sec.error.issues)})`, 'CONFIG');
  return new PrometheusConnector(parsed.data, sec.data, options);
}

interface MetricQuery {
  metric: MetricName;
  gpu: boolean;
  /** PromQL grouped by `by`, for windows `w` (seconds). */
  expr(by: string, w: string): string;
}

class PrometheusConnector implements InventoryConnector {
  private readonly base: URL;
  private readonly origin: string;
  private readonly hosts: Map<string, { provider: ResourceProvider; resourceId: string }>;
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;

  constructor(
    private readonly cfg: PrometheusInventoryConfig,
    private readonly secret: PrometheusSecret,
    options: PrometheusConnectorOptions,
  ) {
    this.base = new URL(cfg.url.endsWith('/') ? cfg.url : `${cfg.url}/`);
    this.origin = this.base.origin + this.base.pathname.replace(/\/$/, '');
    this.hosts = new Map(
      Object.entries(cfg.hosts).map(([host, value]) => {
        const m = /^(aws|azure|gcp|other):(.+)$/.exec(value);
        const provider = (m?.[1] as ResourceProvider | undefined) ?? cfg.provider;
        return [host, { provider, resourceId: m?.[2] ?? value }];
      }),
    );
    this.maxRetries = options.maxRetries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
  }

  // ---------------------------------------------------------------------------------------------
  // PromQL

  /** `name{extra, selector}` */
  private series(name: string, extra = ''): string {
    const matchers = [extra, this.cfg.selector].filter((m) => m !== '').join(',');
    return `${name}{${matchers}}`;
  }

  private groupLabels(gpu: boolean, listing = false): string {
    const labels = gpu ? [UUID_LABEL, this.cfg.gpuHostLabel] : [this.cfg.nodeHostLabel];
    if (listing) labels.push(MODEL_LABEL, GPU_INDEX_LABEL);
    if (this.cfg.resourceIdLabel) labels.push(this.cfg.resourceIdLabel);
    return [...new Set(labels)].join(', ');
  }

  /** Adds the regex mapping's label, computed by Prometheus from the host label. */
  private mapped(expr: string, gpu: boolean): string {
    if (!this.cfg.hostRegex) return expr;
    const hostLabel = gpu ? this.cfg.gpuHostLabel : this.cfg.nodeHostLabel;
    return `label_replace(${expr}, ${str(MAPPED_LABEL)}, ${str(this.cfg.resourceIdReplacement)}, ${str(hostLabel)}, ${str(this.cfg.hostRegex)})`;
  }

  private readonly queries: readonly MetricQuery[] = [
    {
      metric: 'cpu_utilization',
      gpu: false,
      expr: (by, w) => `100 * (1 - avg by (${by}) (rate(${this.series('node_cpu_seconds_total', 'mode="idle"')}[${w}])))`,
    },
    {
      metric: 'memory_utilization',
      gpu: false,
      expr: (by, w) =>
        `100 * (1 - sum by (${by}) (avg_over_time(${this.series('node_memory_MemAvailable_bytes')}[${w}]))` +
        ` / sum by (${by}) (avg_over_time(${this.series('node_memory_MemTotal_bytes')}[${w}])))`,
    },
    {
      metric: 'network_in',
      gpu: false,
      expr: (by, w) =>
        `sum by (${by}) (rate(${this.series('node_network_receive_bytes_total', `device!~${str(this.cfg.networkDeviceExclude)}`)}[${w}]))`,
    },
    {
      metric: 'network_out',
      gpu: false,
      expr: (by, w) =>
        `sum by (${by}) (rate(${this.series('node_network_transmit_bytes_total', `device!~${str(this.cfg.networkDeviceExclude)}`)}[${w}]))`,
    },
    {
      // The graphics engine's active ratio where profiling metrics are collected; the coarser
      // NVML utilization (any kernel running) otherwise, step by step.
      metric: 'gpu_utilization',
      gpu: true,
      expr: (by, w) =>
        `(100 * avg by (${by}) (avg_over_time(${this.series('DCGM_FI_PROF_GR_ENGINE_ACTIVE')}[${w}])))` +
        ` or avg by (${by}) (avg_over_time(${this.series('DCGM_FI_DEV_GPU_UTIL')}[${w}]))`,
    },
    {
      metric: 'gpu_sm_active',
      gpu: true,
      expr: (by, w) => `100 * avg by (${by}) (avg_over_time(${this.series('DCGM_FI_PROF_SM_ACTIVE')}[${w}]))`,
    },
    {
      metric: 'gpu_memory_used',
      gpu: true,
      expr: (by, w) => `${MIB} * avg by (${by}) (avg_over_time(${this.series('DCGM_FI_DEV_FB_USED')}[${w}]))`,
    },
    {
      metric: 'gpu_memory_total',
      gpu: true,
      expr: (by, w) =>
        `${MIB} * (avg by (${by}) (avg_over_time(${this.series('DCGM_FI_DEV_FB_USED')}[${w}]))` +
        ` + avg by (${by}) (avg_over_time(${this.series('DCGM_FI_DEV_FB_FREE')}[${w}])))`,
    },
  ];

  // ---------------------------------------------------------------------------------------------
  // The label mapping

  /** The resource a series belongs to; null when it names no machine at all. */
  private resolveMachine(labels: Labels, gpu: boolean): Identity | null {
    const raw = labels[gpu ? this.cfg.gpuHostLabel : this.cfg.nodeHostLabel] ?? '';
    const host = stripPort(raw);
    const byLabel = this.cfg.resourceIdLabel ? labels[this.cfg.resourceIdLabel] : undefined;
    if (byLabel) return { provider: this.cfg.provider, resourceId: byLabel, host };
    if (host === '') return null;
    const entry = this.hosts.get(host) ?? this.hosts.get(raw);
    if (entry) return { ...entry, host };
    const byRegex = labels[MAPPED_LABEL];
    if (byRegex) return { provider: this.cfg.provider, resourceId: byRegex, host };
    return { provider: 'other', resourceId: host, host };
  }

  // ---------------------------------------------------------------------------------------------
  // InventoryConnector

  async testConnection(signal?: AbortSignal): Promise<void> {
    let found = false;
    for await (const _ of this.listResources(signal)) {
      found = true;
      break;
    }
    if (!found)
      throw new ConnectorError(
        `Prometheus at ${this.origin} answers, but has no node_exporter or DCGM exporter series${this.cfg.selector ? ` matching ${this.cfg.selector}` : ''} scraped in the last ${this.cfg.lookbackMinutes} minutes.`,
        'NOT_FOUND',
      );
  }

  async *listResources(signal?: AbortSignal): AsyncIterable<ResourceRecord> {
    const l = `${this.cfg.lookbackMinutes}m`;
    const node = this.groupLabels(false);
    const gpu = this.groupLabels(true, true);
    const cpus = await this.instant(
      'the machines (node_cpu_seconds_total)',
      this.mapped(`count by (${node}) (last_over_time(${this.series('node_cpu_seconds_total', 'mode="idle"')}[${l}]))`, false),
      signal,
    );
    const memory = await this.instant(
      'the machines (node_memory_MemTotal_bytes)',
      this.mapped(`max by (${node}) (last_over_time(${this.series('node_memory_MemTotal_bytes')}[${l}]))`, false),
      signal,
    );
    // Three names, three groups: one selector over several names would make last_over_time's
    // nameless outputs collide.
    const gpuNames = ['DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_PROF_GR_ENGINE_ACTIVE'];
    const gpus = await this.instant(
      'the GPUs (DCGM exporter)',
      this.mapped(gpuNames.map((n) => `group by (${gpu}) (last_over_time(${this.series(n)}[${l}]))`).join(' or '), true),
      signal,
    );

    const machines = new Map<string, { id: Identity; hosts: Set<string>; details: Record<string, unknown> }>();
    const machine = (id: Identity) => {
      const key = `${id.provider}\u0000${normalizeResourceId(id.provider, id.resourceId)}`;
      let m = machines.get(key);
      if (!m) {
        m = { id, hosts: new Set(), details: {} };
        machines.set(key, m);
      }
      m.hosts.add(id.host);
      return m;
    };
    for (const s of cpus) {
      const id = this.resolveMachine(s.metric, false);
      if (id) machine(id).details.vcpus = Number(s.value[1]);
    }
    for (const s of memory) {
      const id = this.resolveMachine(s.metric, false);
      const bytes = Number(s.value[1]);
      if (id && Number.isFinite(bytes)) machine(id).details.memoryBytes = bytes;
    }
    const gpuRecords: ResourceRecord[] = [];
    const seenGpus = new Set<string>();
    for (const s of gpus) {
      const uuid = s.metric[UUID_LABEL];
      const id = this.resolveMachine(s.metric, true);
      if (!uuid || !id) continue;
      const m = machine(id);
      const key = `${id.provider}\u0000${normalizeResourceId(id.provider, id.resourceId)}\u0000${uuid}`;
      if (seenGpus.has(key)) continue;
      seenGpus.add(key);
      const model = s.metric[MODEL_LABEL] || null;
      m.details.gpuCount = (Number(m.details.gpuCount) || 0) + 1;
      if (model) m.details.gpuModel = model;
      gpuRecords.push({
        provider: id.provider,
        resourceId: id.resourceId,
        subResourceId: uuid,
        kind: 'gpu',
        resourceType: model,
        details: {
          source: 'prometheus',
          host: id.host,
          ...(s.metric[GPU_INDEX_LABEL] !== undefined ? { gpuIndex: s.metric[GPU_INDEX_LABEL] } : {}),
        },
      });
    }
    for (const m of machines.values()) {
      yield {
        provider: m.id.provider,
        resourceId: m.id.resourceId,
        kind: 'instance',
        // A mapped machine keeps the name its cloud inventory gives it; an unmapped one is its host.
        name: m.id.provider === 'other' ? m.id.resourceId : null,
        details: { source: 'prometheus', hosts: [...m.hosts].sort(), ...m.details },
      };
    }
    yield* gpuRecords;
  }

  async *fetchMetrics(resources: readonly ResourceRecord[], window: MetricsWindow, signal?: AbortSignal): AsyncIterable<SampleBatch> {
    const wanted = new Set(resources.map((r) => key(r.provider, r.resourceId, r.kind === 'gpu' ? (r.subResourceId ?? '') : '')));
    if (wanted.size === 0) return;
    const step = Math.max(1, Math.round(window.stepSeconds));
    const w = `${Math.max(step, 4 * this.cfg.scrapeIntervalSeconds)}s`;
    const startMs = window.start.getTime();
    const endMs = window.end.getTime();
    if (!(endMs >= startMs)) throw new ConnectorError(`Prometheus: the metrics window ends before it starts`, 'CONFIG');
    // At most a day, and never past the steps limit, per query: a large fleet's answer stays a
    // few megabytes and under Prometheus's --query.max-samples.
    const stepsPerQuery = Math.max(1, Math.min(MAX_POINTS_PER_QUERY - 1, Math.floor(MAX_SPAN_SECONDS / step)));
    const spanMs = stepsPerQuery * step * 1000;
    for (const q of this.queries) {
      const expr = this.mapped(q.expr(this.groupLabels(q.gpu), w), q.gpu);
      for (let from = startMs; from <= endMs; from += spanMs + step * 1000) {
        const to = Math.min(endMs, from + spanMs);
        const matrix = await this.range(q.metric, expr, from, to, step, signal);
        for (const s of matrix) {
          const id = this.resolveMachine(s.metric, q.gpu);
          if (!id) continue;
          const uuid = q.gpu ? s.metric[UUID_LABEL] : undefined;
          if (q.gpu && !uuid) continue;
          const machineKey = key(id.provider, id.resourceId, '');
          if (!wanted.has(machineKey) && !(uuid && wanted.has(key(id.provider, id.resourceId, uuid)))) continue;
          const timestamps: number[] = [];
          const values: number[] = [];
          for (const [t, v] of s.values) {
            const value = Number(v);
            // NaN (a 0/0 memory ratio) and ±Inf are no measurement.
            if (!Number.isFinite(value)) continue;
            timestamps.push(Math.round(t * 1000));
            values.push(value);
          }
          if (timestamps.length === 0) continue;
          yield {
            provider: id.provider,
            resourceId: id.resourceId,
            ...(uuid ? { subResourceId: uuid } : {}),
            metric: q.metric,
            timestamps,
            values,
          };
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP API

  private async instant(what: string, query: string, signal?: AbortSignal) {
    const data = await this.call('query', { query }, what, signal);
    const result = Vector.safeParse(data.resultType === 'vector' ? data.result : null);
    if (!result.success)
      throw new ConnectorError(
        `Prometheus at ${this.origin} answered the query for ${what} with a ${data.resultType}, not a vector`,
        'CONFIG',
      );
    return result.data;
  }

  private async range(metric: MetricName, query: string, fromMs: number, toMs: number, step: number, signal?: AbortSignal) {
    const data = await this.call(
      'query_range',
      { query, start: (fromMs / 1000).toString(), end: (toMs / 1000).toString(), step: step.toString() },
      metric,
      signal,
    );
    const result = Matrix.safeParse(data.resultType === 'matrix' ? data.result : null);
    if (!result.success)
      throw new ConnectorError(
        `Prometheus at ${this.origin} answered the range query for ${metric} with a ${data.resultType}, not a matrix`,
        'CONFIG',
      );
    return result.data;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (this.secret.kind === 'bearer') h.authorization = `Bearer ${this.secret.token}`;
    if (this.secret.kind === 'basic')
      h.authorization = `Basic ${Buffer.from(`${this.secret.username}:${this.secret.password}`).toString('base64')}`;
    return h;
  }

  private credentialWords(): string {
    if (this.secret.kind === 'bearer') return 'the bearer token';
    if (this.secret.kind === 'basic') return `the password of user ${this.secret.username}`;
    return 'the request: it needs credentials, and none are configured';
  }

  /** One API call with retries of throttled and unavailable answers; returns `data`. */
  private async call(endpoint: 'query' | 'query_range', params: Record<string, string>, what: string, signal?: AbortSignal) {
    const url = new URL(`api/v1/${endpoint}`, this.base);
    for (let attempt = 0; ; attempt++) {
      const failure = await this.attempt(url, params, what, signal);
      if ('data' in failure) return failure.data;
      if (!failure.retry || attempt >= this.maxRetries) throw failure.error;
      await sleep(this.retryDelayMs * 2 ** attempt, undefined, { signal });
    }
  }

  private async attempt(
    url: URL,
    params: Record<string, string>,
    what: string,
    signal?: AbortSignal,
  ): Promise<{ data: { resultType: string; result: unknown } } | { error: ConnectorError; retry: boolean }> {
    const fail = (message: string, code: ConnectorErrorCode, retry = false) => ({ error: new ConnectorError(message, code), retry });
    const timeout = AbortSignal.timeout(this.cfg.timeoutSeconds * 1000);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: this.headers(),
        body: new URLSearchParams(params),
        // A redirect would carry the credentials past the endpoint check; the URL should be where it points.
        redirect: 'manual',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const cause = (error as Error & { cause?: NodeJS.ErrnoException }).cause;
      const detail = timeout.aborted
        ? `no answer within ${this.cfg.timeoutSeconds} s`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
      return fail(`Prometheus at ${this.origin}: could not query ${what} (${detail}).`, 'NETWORK', true);
    }
    const status = response.status;
    let body: z.output<typeof ApiAnswer> | null = null;
    try {
      const parsed = ApiAnswer.safeParse(await response.json());
      body = parsed.success ? parsed.data : null;
    } catch {
      // Not JSON (a proxy's page, a login form): judged by the status below.
      body = null;
    }
    if (status === 401 || status === 403)
      return fail(`Prometheus at ${this.origin} refused ${this.credentialWords()} (HTTP ${status}).`, 'AUTH');
    if (status >= 300 && status < 400)
      return fail(
        `Prometheus at ${this.origin} redirects (HTTP ${status}) to ${response.headers.get('location') ?? 'another address'}; set the URL to where it points.`,
        'CONFIG',
      );
    const promError = body?.status === 'error' ? `${body.errorType ?? 'error'}: ${body.error ?? ''}` : null;
    if (status === 429 || status === 503 || status === 502 || status === 504)
      return fail(
        `Prometheus at ${this.origin} is overloaded or unavailable (HTTP ${status}${promError ? `, ${promError}` : ''}) while querying ${what}.`,
        'THROTTLED',
        true,
      );
    if (promError && (status === 400 || status === 422))
      return fail(
        `Prometheus at ${this.origin} rejected the query for ${what} (${promError}). Check the selector and the label mapping. Query: ${params.query}`,
        'CONFIG',
      );
    if (status === 404)
      return fail(`No Prometheus HTTP API at ${this.origin} (HTTP 404 for ${url.pathname}); check the URL and its path prefix.`, 'CONFIG');
    if (body?.status !== 'success' || !body.data)
      return fail(
        `Prometheus at ${this.origin} did not answer like the Prometheus HTTP API (HTTP ${status}${promError ? `, ${promError}` : ''}) while querying ${what}.`,
        status >= 500 ? 'NETWORK' : 'CONFIG',
        status >= 500,
      );
    return { data: body.data };
  }
}

function key(provider: ResourceProvider, resourceId: string, sub: string): string {
  return `${provider}\u0000${normalizeResourceId(provider, resourceId)}\u0000${sub}`;
}
