// The Prometheus inventory connector against a real Prometheus (Debian's package; see
// tests/helpers/prometheus.ts): two days of node_exporter and DCGM exporter history, written with
// DCGM's real label sets (tests/fixtures/prometheus/SOURCE.md) and values chosen here, loaded with
// promtool, then listed and queried through the HTTP API. Every expectation below is worked out
// by hand from the values written, not by the code under test.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { type SeriesSamples, startPrometheus, withPrometheus } from '../../tests/helpers/prometheus';
import { ConnectorError } from '../connectors/types';
import { freePort } from '../db/embedded';
import { getPool } from '../db/pool';
import { windowStats } from '../metrics/stats';
import { createPrometheusConnector, type PrometheusSecret } from './prometheus';
import { inventoryConnectorForSource, inventoryKind } from './registry';
import { syncInventory } from './sync';
import type { ResourceRecord, SampleBatch } from './types';

// ---------------------------------------------------------------------------------------------
// The history: 60 s samples over the two days before the last whole five minutes. The first day
// is phase 1, the second phase 2 (a gauge's value switches after PHASE, a counter's slope too).

const SCRAPE = 60;
const END = Math.floor(Date.now() / 1000 / 300) * 300 - 300;
const START = END - 2 * 86_400;
const PHASE = START + 86_400;
const MIB = 1_048_576;

type Labels = Record<string, string>;

function sampleTimes(): number[] {
  const out: number[] = [];
  for (let t = START; t <= END; t += SCRAPE) out.push(t);
  return out;
}

function gauge(name: string, labels: Labels, p1: number, p2 = p1): SeriesSamples {
  return { name, labels, type: 'gauge', samples: sampleTimes().map((t) => [t, t <= PHASE ? p1 : p2] as const) };
}

/** A counter rising by `p1` per second until PHASE and by `p2` after it. */
function counter(name: string, labels: Labels, p1: number, p2 = p1): SeriesSamples {
  const base = 1_000_000;
  return {
    name,
    labels,
    type: 'counter',
    samples: sampleTimes().map((t) => [t, base + p1 * (Math.min(t, PHASE) - START) + p2 * Math.max(0, t - PHASE)] as const),
  };
}

/** The label sets of the three GPUs in the DCGM exporter scrape (the file's values are not used). */
function dcgmLabelSets(): Labels[] {
  const text = readFileSync(path.resolve(__dirname, '../../tests/fixtures/prometheus/dcgm-exporter-samples.txt'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const inside = /\{(.*)\}/.exec(line)?.[1] ?? '';
      const labels: Labels = {};
      for (const m of inside.matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1] as string] = m[2] as string;
      return labels;
    });
}

const [T4_PROFILED, T4_PLAIN, A10G] = dcgmLabelSets() as [Labels, Labels, Labels];
const ID_A = 'i-0a1b2c3d4e5f60718';
const ID_B = 'i-0b2c3d4e5f6a7b8c9';
const ID_D = 'i-0d1e2f3a4b5c6d7e8';
const UUID_B = 'GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e';
const UUID_C = 'GPU-9ef1b6d0-3643-5dd7-b823-c0ec20dcf2d5';
const UUID_D = 'GPU-abc';

function cpus(labels: Labels, idle: readonly (readonly [number, number])[]): SeriesSamples[] {
  return idle.map(([p1, p2], cpu) => counter('node_cpu_seconds_total', { ...labels, cpu: String(cpu), mode: 'idle' }, p1, p2));
}

function history(): SeriesSamples[] {
  // A: found by the instance_id label; two CPUs (idle 0.9 and 0.7, then 0.3 and 0.1), 8 GiB with
  // 6 GiB available, eth0 1000 B/s in and 250 out, and loopback and veth traffic to be left out.
  const a = { instance: 'ip-10-0-1-17:9100', job: 'node', instance_id: ID_A };
  // B: node_exporter at 10.0.2.5 and the profiled T4 on Hostname 424773df46e0, both in the host table.
  const b = { instance: '10.0.2.5:9100', job: 'node' };
  const bGpu = { ...T4_PROFILED, instance: '10.0.2.5:9400', job: 'dcgm' };
  // C: only the second T4 (no profiling metrics, no node_exporter), mapped by nothing.
  const cGpu = { ...T4_PLAIN, instance: '172.17.0.3:9400', job: 'dcgm' };
  // D: node_exporter under its EC2 resource name (the regex), its A10G under ip-11111 (the table).
  const d = { instance: `${ID_D}.ec2.internal:9100`, job: 'node' };
  const dGpu = { ...A10G, instance: '10.0.3.9:9400', job: 'dcgm' };
  // Another team's machine, outside the selector.
  const e = { instance: '10.9.9.9:9100', job: 'other-team' };
  return [
    ...cpus(a, [
      [0.9, 0.3],
      [0.7, 0.1],
    ]),
    counter('node_cpu_seconds_total', { ...a, cpu: '0', mode: 'user' }, 0.05),
    gauge('node_memory_MemTotal_bytes', a, 8_589_934_592),
    gauge('node_memory_MemAvailable_bytes', a, 6_442_450_944),
    counter('node_network_receive_bytes_total', { ...a, device: 'eth0' }, 1000),
    counter('node_network_transmit_bytes_total', { ...a, device: 'eth0' }, 250),
    counter('node_network_receive_bytes_total', { ...a, device: 'lo' }, 1_000_000),
    counter('node_network_transmit_bytes_total', { ...a, device: 'lo' }, 1_000_000),
    counter('node_network_receive_bytes_total', { ...a, device: 'veth9f3a1c2' }, 500_000),
    counter('node_network_transmit_bytes_total', { ...a, device: 'veth9f3a1c2' }, 500_000),

    ...cpus(b, [
      [0.5, 0.5],
      [0.5, 0.5],
      [0.5, 0.5],
      [0.5, 0.5],
    ]),
    gauge('node_memory_MemTotal_bytes', b, 17_179_869_184),
    gauge('node_memory_MemAvailable_bytes', b, 4_294_967_296),
    counter('node_network_receive_bytes_total', { ...b, device: 'ens5' }, 125_000),
    counter('node_network_transmit_bytes_total', { ...b, device: 'ens5' }, 50_000),
    gauge('DCGM_FI_PROF_GR_ENGINE_ACTIVE', bGpu, 0.05, 0.65),
    gauge('DCGM_FI_DEV_GPU_UTIL', bGpu, 90),
    gauge('DCGM_FI_PROF_SM_ACTIVE', bGpu, 0.4),
    gauge('DCGM_FI_DEV_FB_USED', bGpu, 10_240),
    gauge('DCGM_FI_DEV_FB_FREE', bGpu, 4_869),

    gauge('DCGM_FI_DEV_GPU_UTIL', cGpu, 0, 30),
    gauge('DCGM_FI_DEV_FB_USED', cGpu, 512),
    gauge('DCGM_FI_DEV_FB_FREE', cGpu, 14_597),

    ...cpus(d, [[0.97, 0.97]]),
    gauge('node_memory_MemTotal_bytes', d, 4_294_967_296),
    gauge('node_memory_MemAvailable_bytes', d, 3_221_225_472),
    counter('node_network_receive_bytes_total', { ...d, device: 'eth0' }, 10),
    counter('node_network_transmit_bytes_total', { ...d, device: 'eth0' }, 5),
    gauge('DCGM_FI_PROF_GR_ENGINE_ACTIVE', dGpu, 0),
    gauge('DCGM_FI_DEV_GPU_UTIL', dGpu, 0),
    gauge('DCGM_FI_PROF_SM_ACTIVE', dGpu, 0),
    gauge('DCGM_FI_DEV_FB_USED', dGpu, 21_000),
    gauge('DCGM_FI_DEV_FB_FREE', dGpu, 2_028),

    ...cpus(e, [[0.1, 0.1]]),
    gauge('node_memory_MemTotal_bytes', e, 1_073_741_824),
    gauge('node_memory_MemAvailable_bytes', e, 536_870_912),
  ];
}

const prometheus = withPrometheus(history);

type ConfigInput = Parameters<typeof createPrometheusConnector>[0];

function config(over: Partial<ConfigInput> = {}): ConfigInput {
  return {
    url: prometheus().url,
    selector: 'job=~"node|dcgm"',
    provider: 'aws',
    resourceIdLabel: 'instance_id',
    hostRegex: '(i-[0-9a-f]+)[.].*',
    hosts: `# node_exporter and DCGM names of machine B\n10.0.2.5 = ${ID_B}\n424773df46e0 = ${ID_B}\nip-11111 = ${ID_D}\n`,
    ...over,
  };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

// ---------------------------------------------------------------------------------------------

describe('listResources', () => {
  it('lists the machines and GPUs of the exporters, mapped by label, host table and regex, unmapped hosts as other', async () => {
    const records = await collect(createPrometheusConnector(config()).listResources());
    const byKey = (r: ResourceRecord) => `${r.provider}/${r.resourceId}/${r.subResourceId ?? ''}`;
    const sorted = [...records].sort((x, y) => byKey(x).localeCompare(byKey(y)));
    expect(sorted).toEqual([
      {
        provider: 'aws',
        resourceId: ID_A,
        kind: 'instance',
        name: null,
        details: { source: 'prometheus', hosts: ['ip-10-0-1-17'], vcpus: 2, memoryBytes: 8_589_934_592 },
      },
      {
        provider: 'aws',
        resourceId: ID_B,
        kind: 'instance',
        name: null,
        details: {
          source: 'prometheus',
          hosts: ['10.0.2.5', '424773df46e0'],
          vcpus: 4,
          memoryBytes: 17_179_869_184,
          gpuCount: 1,
          gpuModel: 'Tesla T4',
        },
      },
      {
        provider: 'aws',
        resourceId: ID_B,
        subResourceId: UUID_B,
        kind: 'gpu',
        resourceType: 'Tesla T4',
        details: { source: 'prometheus', host: '424773df46e0', gpuIndex: '0' },
      },
      {
        provider: 'aws',
        resourceId: ID_D,
        kind: 'instance',
        name: null,
        details: {
          source: 'prometheus',
          hosts: [`${ID_D}.ec2.internal`, 'ip-11111'],
          vcpus: 1,
          memoryBytes: 4_294_967_296,
          gpuCount: 1,
          gpuModel: 'NVIDIA A10G',
        },
      },
      {
        provider: 'aws',
        resourceId: ID_D,
        subResourceId: UUID_D,
        kind: 'gpu',
        resourceType: 'NVIDIA A10G',
        details: { source: 'prometheus', host: 'ip-11111', gpuIndex: '0' },
      },
      {
        provider: 'other',
        resourceId: '551bdf382151',
        kind: 'instance',
        name: '551bdf382151',
        details: { source: 'prometheus', hosts: ['551bdf382151'], gpuCount: 1, gpuModel: 'Tesla T4' },
      },
      {
        provider: 'other',
        resourceId: '551bdf382151',
        subResourceId: UUID_C,
        kind: 'gpu',
        resourceType: 'Tesla T4',
        details: { source: 'prometheus', host: '551bdf382151', gpuIndex: '0' },
      },
    ]);
  });

  it('keeps every host as provider other, named by its host, when no mapping is configured', async () => {
    const records = await collect(createPrometheusConnector({ url: prometheus().url, selector: 'job!="dcgm"' }).listResources());
    expect(records.map((r) => `${r.provider}/${r.resourceId}`).sort()).toEqual([
      'other/10.0.2.5',
      'other/10.9.9.9',
      `other/${ID_D}.ec2.internal`,
      'other/ip-10-0-1-17',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('fetchMetrics', () => {
  const STEP = 300;
  const FROM = START + 3600;

  /** One series per (resource, GPU, metric): the batches' samples joined. */
  function joined(batches: readonly SampleBatch[]): Map<string, { t: number[]; v: number[] }> {
    const out = new Map<string, { t: number[]; v: number[] }>();
    for (const b of batches) {
      const k = `${b.provider}/${b.resourceId}/${b.subResourceId ?? ''}/${b.metric}`;
      const s = out.get(k) ?? { t: [], v: [] };
      s.t.push(...b.timestamps);
      s.v.push(...b.values);
      out.set(k, s);
    }
    return out;
  }

  /**
   * The expected value at step t: phase 1's up to PHASE; phase 2's from PHASE + 2 steps. The step
   * right after PHASE averages a window that starts at PHASE itself, which Prometheus 2 includes
   * and 3 does not: it lies between the two.
   */
  function expectPhases(series: { t: number[]; v: number[] } | undefined, p1: number, p2 = p1) {
    expect(series).toBeDefined();
    const { t, v } = series as { t: number[]; v: number[] };
    expect(t.length).toBe((END - FROM) / STEP + 1);
    for (const [i, ms] of t.entries()) {
      expect(ms).toBe((FROM + i * STEP) * 1000);
      const s = ms / 1000;
      const value = v[i] as number;
      if (s <= PHASE) expect(value).toBeCloseTo(p1, 6);
      else if (s >= PHASE + 2 * STEP) expect(value).toBeCloseTo(p2, 6);
      else {
        expect(value).toBeGreaterThanOrEqual(Math.min(p1, p2) - 1e-9);
        expect(value).toBeLessThanOrEqual(Math.max(p1, p2) + 1e-9);
      }
    }
  }

  let series: Map<string, { t: number[]; v: number[] }>;
  beforeAll(async () => {
    const connector = createPrometheusConnector(config());
    const resources = await collect(connector.listResources());
    // A machine the inventory knows and Prometheus never saw (or no longer sees).
    resources.push({ provider: 'aws', resourceId: 'i-0ffffffffffffffff', kind: 'instance' });
    const batches = await collect(
      connector.fetchMetrics(resources, { start: new Date(FROM * 1000), end: new Date(END * 1000), stepSeconds: STEP }),
    );
    for (const b of batches) {
      expect(b.timestamps.length).toBe(b.values.length);
      expect(b.timestamps).toEqual([...b.timestamps].sort((x, y) => x - y));
    }
    series = joined(batches);
  });

  it('yields exactly the metrics each machine and GPU has: missing series and unknown machines are skipped', () => {
    expect([...series.keys()].sort()).toEqual(
      [
        `aws/${ID_A}//cpu_utilization`,
        `aws/${ID_A}//memory_utilization`,
        `aws/${ID_A}//network_in`,
        `aws/${ID_A}//network_out`,
        `aws/${ID_B}//cpu_utilization`,
        `aws/${ID_B}//memory_utilization`,
        `aws/${ID_B}//network_in`,
        `aws/${ID_B}//network_out`,
        `aws/${ID_B}/${UUID_B}/gpu_utilization`,
        `aws/${ID_B}/${UUID_B}/gpu_sm_active`,
        `aws/${ID_B}/${UUID_B}/gpu_memory_used`,
        `aws/${ID_B}/${UUID_B}/gpu_memory_total`,
        `aws/${ID_D}//cpu_utilization`,
        `aws/${ID_D}//memory_utilization`,
        `aws/${ID_D}//network_in`,
        `aws/${ID_D}//network_out`,
        `aws/${ID_D}/${UUID_D}/gpu_utilization`,
        `aws/${ID_D}/${UUID_D}/gpu_sm_active`,
        `aws/${ID_D}/${UUID_D}/gpu_memory_used`,
        `aws/${ID_D}/${UUID_D}/gpu_memory_total`,
        `other/551bdf382151/${UUID_C}/gpu_utilization`,
        `other/551bdf382151/${UUID_C}/gpu_memory_used`,
        `other/551bdf382151/${UUID_C}/gpu_memory_total`,
      ].sort(),
    );
  });

  it('computes CPU as 100 minus the idle rate averaged over the CPUs', () => {
    // A: idle (0.9 + 0.7) / 2 = 0.8 → 20 %, then (0.3 + 0.1) / 2 = 0.2 → 80 %; the user-mode series is not idle.
    expectPhases(series.get(`aws/${ID_A}//cpu_utilization`), 20, 80);
    expectPhases(series.get(`aws/${ID_B}//cpu_utilization`), 50);
    expectPhases(series.get(`aws/${ID_D}//cpu_utilization`), 3);
  });

  it('computes memory as 1 − MemAvailable / MemTotal in percent', () => {
    expectPhases(series.get(`aws/${ID_A}//memory_utilization`), 25); // 6 GiB of 8 available
    expectPhases(series.get(`aws/${ID_B}//memory_utilization`), 75); // 4 of 16
    expectPhases(series.get(`aws/${ID_D}//memory_utilization`), 25); // 3 of 4
  });

  it('sums network rates over the real interfaces, leaving out loopback and veth', () => {
    expectPhases(series.get(`aws/${ID_A}//network_in`), 1000);
    expectPhases(series.get(`aws/${ID_A}//network_out`), 250);
    expectPhases(series.get(`aws/${ID_B}//network_in`), 125_000);
    expectPhases(series.get(`aws/${ID_B}//network_out`), 50_000);
    expectPhases(series.get(`aws/${ID_D}//network_in`), 10);
  });

  it('takes GPU utilization from GR_ENGINE_ACTIVE × 100 where profiled, DCGM_FI_DEV_GPU_UTIL otherwise', () => {
    // B's GPU_UTIL says 90 throughout; the graphics engine was active 5 %, then 65 %.
    expectPhases(series.get(`aws/${ID_B}/${UUID_B}/gpu_utilization`), 5, 65);
    expectPhases(series.get(`other/551bdf382151/${UUID_C}/gpu_utilization`), 0, 30);
    expectPhases(series.get(`aws/${ID_D}/${UUID_D}/gpu_utilization`), 0);
    expectPhases(series.get(`aws/${ID_B}/${UUID_B}/gpu_sm_active`), 40);
  });

  it('converts frame-buffer MiB to bytes: used, and used + free as the total', () => {
    expectPhases(series.get(`aws/${ID_B}/${UUID_B}/gpu_memory_used`), 10_240 * MIB);
    expectPhases(series.get(`aws/${ID_B}/${UUID_B}/gpu_memory_total`), 15_109 * MIB);
    expectPhases(series.get(`other/551bdf382151/${UUID_C}/gpu_memory_used`), 512 * MIB);
    expectPhases(series.get(`other/551bdf382151/${UUID_C}/gpu_memory_total`), 15_109 * MIB);
    expectPhases(series.get(`aws/${ID_D}/${UUID_D}/gpu_memory_used`), 21_000 * MIB);
    expectPhases(series.get(`aws/${ID_D}/${UUID_D}/gpu_memory_total`), 23_028 * MIB);
  });

  it('splits a window of more than 11,000 steps into queries Prometheus accepts, without gaps or repeats', async () => {
    const step = 10;
    const from = END - 31 * 3600; // 11,161 steps of 10 s
    const points = (END - from) / step + 1;
    // Asked in one piece, Prometheus refuses it.
    const whole = await fetch(`${prometheus().url}/api/v1/query_range`, {
      method: 'POST',
      body: new URLSearchParams({ query: 'DCGM_FI_DEV_FB_USED', start: String(from), end: String(END), step: String(step) }),
    });
    expect(whole.status).toBe(400);
    expect(await whole.text()).toContain('exceeded maximum resolution of 11,000 points per timeseries');

    const gpu: ResourceRecord = { provider: 'aws', resourceId: ID_B, subResourceId: UUID_B, kind: 'gpu' };
    const batches = await collect(
      createPrometheusConnector(config()).fetchMetrics([gpu], {
        start: new Date(from * 1000),
        end: new Date(END * 1000),
        stepSeconds: step,
      }),
    );
    const got = joined(batches);
    expect([...got.keys()].sort()).toEqual(
      ['gpu_memory_total', 'gpu_memory_used', 'gpu_sm_active', 'gpu_utilization'].map((m) => `aws/${ID_B}/${UUID_B}/${m}`),
    );
    const used = got.get(`aws/${ID_B}/${UUID_B}/gpu_memory_used`) as { t: number[]; v: number[] };
    expect(batches.filter((b) => b.metric === 'gpu_memory_used').length).toBe(2);
    expect(used.t.length).toBe(points);
    expect(used.t).toEqual(Array.from({ length: points }, (_, i) => (from + i * step) * 1000));
    expect(new Set(used.v)).toEqual(new Set([10_240 * MIB]));
  });
});

// ---------------------------------------------------------------------------------------------

describe('failures', () => {
  it('reports an unreachable Prometheus as NETWORK, retryable', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const error = await rejection(createPrometheusConnector({ url }, undefined, { maxRetries: 1, retryDelayMs: 10 }).testConnection());
    expect(error.code).toBe('NETWORK');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('reports a host regex Prometheus cannot compile as CONFIG with Prometheus’s own words', async () => {
    const connector = createPrometheusConnector(config({ hostRegex: '(i-[0-9a-f]+' }));
    const listing = await rejection(connector.testConnection());
    expect(listing.code).toBe('CONFIG');
    expect(listing.message).toContain('invalid regular expression in label_replace(): (i-[0-9a-f]+');
    const window = { start: new Date(START * 1000), end: new Date(END * 1000), stepSeconds: 3600 };
    const fetching = await rejection(collect(connector.fetchMetrics([{ provider: 'aws', resourceId: ID_A, kind: 'instance' }], window)));
    expect(fetching.code).toBe('CONFIG');
    expect(fetching.message).toContain('cpu_utilization');
    expect(fetching.message).toContain('invalid regular expression');
  });

  it('reports a selector Prometheus cannot parse as CONFIG with its parse error', async () => {
    const error = await rejection(createPrometheusConnector(config({ selector: 'job=~"("' })).testConnection());
    expect(error.code).toBe('CONFIG');
    expect(error.message).toMatch(/bad_data: .*parse error: error parsing regexp: missing closing \)/);
  });

  it('refuses a configuration that is not one, naming the field', () => {
    const bad = (over: Partial<ConfigInput>) => {
      try {
        createPrometheusConnector(config(over));
      } catch (error) {
        return error;
      }
      return null;
    };
    const label = bad({ resourceIdLabel: 'instance-id' });
    expect(label).toBeInstanceOf(ConnectorError);
    expect((label as ConnectorError).message).toContain('resourceIdLabel: must be a Prometheus label name');
    const url = bad({ url: 'http://reader:secret@127.0.0.1:9090' });
    expect((url as ConnectorError).message).toContain('url: must not carry credentials');
    expect((url as ConnectorError).message).not.toContain('secret@');
    const hosts = bad({ hosts: 'web-1 i-0123' });
    expect((hosts as ConnectorError).message).toContain('hosts: line 1: expected "host = resource id"');
  });
});

// ---------------------------------------------------------------------------------------------
// Behind a reverse proxy that wants a bearer token (Prometheus itself has none), and that can
// answer 503 as an overloaded proxy does.

describe('bearer token through a proxy', () => {
  const TOKEN = 'prom-reader-7f3a9c1e5b';
  let proxy: http.Server;
  let proxyUrl: string;
  let unavailable = 0;

  beforeAll(async () => {
    proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.headers.authorization !== `Bearer ${TOKEN}`) {
          res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('Unauthorized\n');
          return;
        }
        if (unavailable > 0) {
          unavailable--;
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'too many queries in flight' }));
          return;
        }
        fetch(`${prometheus().url}${req.url}`, {
          method: req.method,
          headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
          body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
        }).then(
          async (upstream) => res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text()),
          (error: unknown) => res.writeHead(502).end(String(error)),
        );
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

  const withToken = (token: string, retries = 0) =>
    createPrometheusConnector(config({ url: proxyUrl }), { kind: 'bearer', token } satisfies PrometheusSecret, {
      maxRetries: retries,
      retryDelayMs: 10,
    });

  it('lists through the proxy with the right token', async () => {
    const records = await collect(withToken(TOKEN).listResources());
    expect(records.filter((r) => r.kind === 'instance').length).toBe(4);
  });

  it('reports a wrong token as AUTH without quoting it', async () => {
    const wrong = 'prom-reader-0000000000';
    const error = await rejection(withToken(wrong).testConnection());
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('refused the bearer token (HTTP 401)');
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(TOKEN);
  });

  it('retries an overloaded answer, and reports THROTTLED when it lasts', async () => {
    unavailable = 2;
    await withToken(TOKEN, 2).testConnection();
    expect(unavailable).toBe(0);
    unavailable = 3;
    const error = await rejection(withToken(TOKEN, 2).testConnection());
    expect(error.code).toBe('THROTTLED');
    expect(error.message).toContain('HTTP 503, unavailable: too many queries in flight');
    unavailable = 0;
  });
});

// ---------------------------------------------------------------------------------------------
// Prometheus's own basic authentication (--web.config.file), on a second, empty server.

describe('basic authentication of Prometheus’s web config', () => {
  const USER = 'burnrate';
  const PASSWORD = 'reader-pass-7';
  // bcrypt (cost 4) of PASSWORD, made with Python's crypt.crypt(PASSWORD, mksalt(METHOD_BLOWFISH, rounds=16)).
  const HASH = '$2b$04$skiZkKHvf1Dp6TOld9sPTO.Wv88qwVf7Bvh/C7IQpztj7hW.tTSce';
  let server: Awaited<ReturnType<typeof startPrometheus>>;

  beforeAll(async () => {
    server = await startPrometheus([], {
      webConfig: `basic_auth_users:\n  ${USER}: ${HASH}\n`,
      probeAuth: { username: USER, password: PASSWORD },
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('reports a wrong password as AUTH without quoting it', async () => {
    const error = await rejection(
      createPrometheusConnector({ url: server.url }, { kind: 'basic', username: USER, password: 'not-the-password' }).testConnection(),
    );
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain(`refused the password of user ${USER} (HTTP 401)`);
    expect(error.message).not.toContain('not-the-password');
  });

  it('reports missing credentials as AUTH saying none are configured', async () => {
    const error = await rejection(createPrometheusConnector({ url: server.url }).testConnection());
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('it needs credentials, and none are configured');
  });

  it('gets in with the password, and says when there is nothing to list', async () => {
    const error = await rejection(
      createPrometheusConnector({ url: server.url }, { kind: 'basic', username: USER, password: PASSWORD }).testConnection(),
    );
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('has no node_exporter or DCGM exporter series');
  });
});

// ---------------------------------------------------------------------------------------------
// The whole path: a stored source of kind prometheus, built by the registry, synced by
// lib/inventory/sync.ts into PostgreSQL, read back as the rules read it.

describe('sync of a Prometheus source into PostgreSQL', () => {
  let url: string;
  beforeAll(async () => {
    url = await useTestDatabase();
  });

  it('stores the machines, GPUs and every sample, and window statistics read back the values written', async () => {
    const inventoryConfig = {
      url: prometheus().url,
      selector: 'job=~"node|dcgm"',
      provider: 'aws',
      resourceIdLabel: 'instance_id',
      hostRegex: '(i-[0-9a-f]+)[.].*',
      // As the form sends it: the textarea's text.
      hosts: `10.0.2.5 = ${ID_B}\n424773df46e0 = ${ID_B}\nip-11111 = ${ID_D}`,
      scrapeIntervalSeconds: '60',
    };
    const [row] = await sql<{ id: number }>(
      url,
      `INSERT INTO billing_sources (name, provider, kind, inventory_enabled, inventory_config)
       VALUES ('prom', 'other', 'prometheus', true, $1) RETURNING id`,
      [JSON.stringify(inventoryConfig)],
    );
    expect(inventoryKind('prometheus')?.provider).toBe('other');
    const { connector } = inventoryConnectorForSource({
      name: 'prom',
      kind: 'prometheus',
      inventoryEnabled: true,
      inventoryConfig,
      secretCiphertext: null,
    });
    // The first sync reads 14 days back to END (on the 300 s grid); the history starts at START.
    const result = await syncInventory({ sourceId: row?.id as number, sourceName: 'prom', connector, now: new Date(END * 1000 + 1000) });
    // Rates need two samples in their window: from START + 300 (576 steps); averages have one at
    // START itself (577). Rates: CPU and network in and out of A, B and D (9 series); averages:
    // memory of A, B, D and the GPU series (B 4, C 3, D 4): 14.
    expect(result).toMatchObject({ resourcesListed: 7, series: 23, samples: 9 * 576 + 14 * 577 });

    const resources = await sql<{
      provider: string;
      resource_id: string;
      sub_resource_id: string;
      kind: string;
      resource_type: string | null;
    }>(url, 'SELECT provider, resource_id, sub_resource_id, kind, resource_type FROM resources WHERE seen_in_inventory ORDER BY 1, 2, 3');
    expect(resources).toEqual([
      { provider: 'aws', resource_id: ID_A, sub_resource_id: '', kind: 'instance', resource_type: null },
      { provider: 'aws', resource_id: ID_B, sub_resource_id: '', kind: 'instance', resource_type: null },
      { provider: 'aws', resource_id: ID_B, sub_resource_id: UUID_B, kind: 'gpu', resource_type: 'Tesla T4' },
      { provider: 'aws', resource_id: ID_D, sub_resource_id: '', kind: 'instance', resource_type: null },
      { provider: 'aws', resource_id: ID_D, sub_resource_id: UUID_D, kind: 'gpu', resource_type: 'NVIDIA A10G' },
      { provider: 'other', resource_id: '551bdf382151', sub_resource_id: '', kind: 'instance', resource_type: null },
      { provider: 'other', resource_id: '551bdf382151', sub_resource_id: UUID_C, kind: 'gpu', resource_type: 'Tesla T4' },
    ]);

    // Whole hours inside each phase (the step right after PHASE excluded, as above).
    const p1 = { start: Math.ceil((START + 300) / 3600) * 3600, end: Math.floor(PHASE / 3600) * 3600 };
    const p2 = { start: Math.ceil((PHASE + 600) / 3600) * 3600, end: Math.floor(END / 3600) * 3600 };
    const stats = async (p: { start: number; end: number }) =>
      windowStats(getPool(), {
        metrics: ['cpu_utilization', 'gpu_utilization', 'gpu_memory_used'],
        start: new Date(p.start * 1000),
        end: new Date(p.end * 1000),
        quantiles: [0.95],
      });
    const pick = (list: Awaited<ReturnType<typeof stats>>, resourceId: string, sub: string, metric: string) => {
      const found = list.find((x) => x.resourceId === resourceId && x.subResourceId === sub && x.metric === metric);
      expect(found, `${resourceId}/${sub}/${metric}`).toBeDefined();
      return found as NonNullable<typeof found>;
    };
    const [first, second] = [await stats(p1), await stats(p2)];
    const cpuA1 = pick(first, ID_A, '', 'cpu_utilization');
    expect(cpuA1.n).toBe((p1.end - p1.start) / 300);
    expect(cpuA1.hours).toBe((p1.end - p1.start) / 3600);
    expect(cpuA1.mean).toBeCloseTo(20, 6);
    expect(pick(second, ID_A, '', 'cpu_utilization').mean).toBeCloseTo(80, 6);
    // p95 from the hourly sketches: within their 1 % relative error of the constant written.
    const gpuB1 = pick(first, ID_B, UUID_B, 'gpu_utilization');
    expect(Math.abs((gpuB1.quantiles[0] as number) - 5)).toBeLessThanOrEqual(0.05);
    expect(pick(second, ID_B, UUID_B, 'gpu_utilization').mean).toBeCloseTo(65, 6);
    expect(pick(second, '551bdf382151', UUID_C, 'gpu_utilization').mean).toBeCloseTo(30, 6);
    expect(pick(first, ID_D, UUID_D, 'gpu_memory_used').max).toBe(21_000 * MIB);
  });
});
