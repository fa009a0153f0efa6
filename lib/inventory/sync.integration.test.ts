// The inventory sync against a real database: what a run stores (resources seen in inventory,
// samples, the run record), where the next run's metrics window starts, what is marked gone (only
// in the listed scope), and that a failure anywhere stores nothing from that run. The connector is
// a plain in-memory InventoryConnector (the AWS, Azure, GCP and Prometheus connectors are tested
// on their own wire formats); everything it yields goes through the real write paths.
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { ConnectorError } from '../connectors/types';
import { getPool } from '../db/pool';
import { deadRunError, openLockedRun, reapDeadRuns } from '../db/run-lock';
import { FIRST_SYNC_LOOKBACK_DAYS, syncInventory } from './sync';
import type { InventoryConnector, InventoryScope, MetricsWindow, ResourceRecord, SampleBatch } from './types';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

async function inventorySource(name: string): Promise<number> {
  const [row] = await sql<{ id: number }>(
    url,
    `INSERT INTO billing_sources (name, provider, kind, inventory_enabled, inventory_config)
     VALUES ($1, 'aws', 'aws_inventory', true, '{"regions":"us-east-1"}') RETURNING id`,
    [name],
  );
  if (!row) throw new Error('no source row');
  return row.id;
}

/** Lists `records`, answers `samples` for every window, and remembers the windows it was asked. */
class FixedConnector implements InventoryConnector {
  windows: MetricsWindow[] = [];
  constructor(
    private readonly records: ResourceRecord[],
    private readonly samples: (w: MetricsWindow) => SampleBatch[],
    private readonly scope?: InventoryScope[],
    private readonly failMetrics?: Error,
  ) {}
  async testConnection(): Promise<void> {}
  async *listResources(): AsyncIterable<ResourceRecord> {
    yield* this.records;
  }
  async *fetchMetrics(_resources: readonly ResourceRecord[], window: MetricsWindow): AsyncIterable<SampleBatch> {
    this.windows.push(window);
    yield* this.samples(window);
    if (this.failMetrics) throw this.failMetrics;
  }
  listedScope(): readonly InventoryScope[] {
    return this.scope ?? [];
  }
}

const vm = (id: string, account = '111111111111'): ResourceRecord => ({
  provider: 'aws',
  resourceId: id,
  kind: 'instance',
  accountId: account,
  regionId: 'us-east-1',
  resourceType: 'm5.large',
  state: 'running',
});

/** Two CPU points per resource at the window's first two steps: values 10 and 20. */
function cpu(ids: string[]): (w: MetricsWindow) => SampleBatch[] {
  return (w) =>
    ids.map((id) => ({
      provider: 'aws',
      resourceId: id,
      metric: 'cpu_utilization',
      timestamps: [w.start.getTime(), w.start.getTime() + w.stepSeconds * 1000],
      values: [10, 20],
    }));
}

interface ResourceRow {
  resource_id: string;
  seen_in_inventory: boolean;
  gone: boolean;
  account_id: string;
  region_id: string;
}

async function resources(prefix: string): Promise<ResourceRow[]> {
  return sql<ResourceRow>(
    url,
    `SELECT resource_id, seen_in_inventory, gone_at IS NOT NULL AS gone, account_id, region_id FROM resources
      WHERE resource_id LIKE $1 ORDER BY resource_id`,
    [`${prefix}%`],
  );
}

async function sampleCount(prefix: string): Promise<number> {
  const [row] = await sql<{ n: string }>(
    url,
    `SELECT count(*) AS n FROM metric_samples m JOIN metric_series s ON s.id = m.series_id JOIN resources r ON r.id = s.resource_pk
      WHERE r.resource_id LIKE $1`,
    [`${prefix}%`],
  );
  return Number(row?.n);
}

describe('inventory sync', () => {
  it('stores the listing and 14 days of metrics on the first run, then fetches from where the last run ended', async () => {
    const sourceId = await inventorySource('first-and-next');
    const now = new Date('2026-12-03T14:07:31Z');
    const connector = new FixedConnector([vm('i-fa1', '555555555555'), vm('i-fa2', '555555555555')], cpu(['i-fa1', 'i-fa2']));
    const first = await syncInventory({ sourceId, sourceName: 'first-and-next', connector, now });
    // 14:07:31 on the 300 s grid is 14:05:00; 14 days before it is the start.
    expect(connector.windows[0]).toEqual({
      start: new Date('2026-11-19T14:05:00Z'),
      end: new Date('2026-12-03T14:05:00Z'),
      stepSeconds: 300,
    });
    expect(FIRST_SYNC_LOOKBACK_DAYS).toBe(14);
    expect(first).toMatchObject({ resourcesListed: 2, resourcesGone: 0, series: 2, samples: 4 });
    expect(await resources('i-fa')).toEqual([
      { resource_id: 'i-fa1', seen_in_inventory: true, gone: false, account_id: '555555555555', region_id: 'us-east-1' },
      { resource_id: 'i-fa2', seen_in_inventory: true, gone: false, account_id: '555555555555', region_id: 'us-east-1' },
    ]);
    expect(await sampleCount('i-fa')).toBe(4);
    const [run] = await sql<Record<string, unknown>>(url, 'SELECT * FROM inventory_runs WHERE id = $1', [first.runId]);
    expect(run).toMatchObject({
      source_id: sourceId,
      status: 'succeeded',
      resources_listed: 2,
      resources_gone: 0,
      series: 2,
      samples: '4',
      metrics_start: new Date('2026-11-19T14:05:00Z'),
      metrics_end: new Date('2026-12-03T14:05:00Z'),
      error: null,
    });

    const later = new FixedConnector([vm('i-fa1', '555555555555'), vm('i-fa2', '555555555555')], cpu(['i-fa1']));
    await syncInventory({ sourceId, sourceName: 'first-and-next', connector: later, now: new Date('2026-12-03T15:07:00Z') });
    expect(later.windows[0]).toEqual({ start: new Date('2026-12-03T14:05:00Z'), end: new Date('2026-12-03T15:05:00Z'), stepSeconds: 300 });
    // Two new points for i-fa1 (14:05 and 14:10); i-fa2 answered none this time.
    expect(await sampleCount('i-fa')).toBe(6);
  });

  it('a run within one step of the last lists resources but asks for no metrics', async () => {
    const sourceId = await inventorySource('same-step');
    const connector = new FixedConnector([vm('i-ss1', '333333333333')], cpu(['i-ss1']));
    await syncInventory({ sourceId, sourceName: 'same-step', connector, now: new Date('2026-12-03T10:01:00Z') });
    const again = await syncInventory({ sourceId, sourceName: 'same-step', connector, now: new Date('2026-12-03T10:04:59Z') });
    expect(connector.windows).toHaveLength(1);
    expect(again).toMatchObject({ resourcesListed: 1, samples: 0, window: null });
  });

  it('marks gone what the listed scope no longer has, and only there; a resource listed again is back', async () => {
    const sourceId = await inventorySource('gone');
    const t0 = new Date('2026-12-01T00:00:00Z');
    // Another account's resource, and one of another provider with the same account id, never listed by this source.
    await syncInventory({ sourceId, sourceName: 'gone', connector: new FixedConnector([vm('i-gx1', '222222222222')], () => []), now: t0 });
    await sql(
      url,
      `INSERT INTO resources (provider, resource_id, kind, account_id, seen_in_inventory) VALUES ('gcp', 'i-gz1', 'instance', '111111111111', true)`,
    );

    await syncInventory({
      sourceId,
      sourceName: 'gone',
      connector: new FixedConnector([vm('i-g1'), vm('i-g2'), vm('i-g3')], () => []),
      now: t0,
    });
    // i-g2 vanished (deleted between runs): the next listing has no i-g2.
    const second = await syncInventory({
      sourceId,
      sourceName: 'gone',
      connector: new FixedConnector([vm('i-g1'), vm('i-g3')], () => []),
      now: new Date('2026-12-01T01:00:00Z'),
    });
    expect(second.resourcesGone).toBe(1);
    expect((await resources('i-g')).map((r) => [r.resource_id, r.gone])).toEqual([
      ['i-g1', false],
      ['i-g2', true],
      ['i-g3', false],
      ['i-gx1', false],
      ['i-gz1', false],
    ]);

    // The account's last resources deleted: the connector's scope still names the account.
    const emptied = await syncInventory({
      sourceId,
      sourceName: 'gone',
      connector: new FixedConnector([], () => [], [{ provider: 'aws', accountId: '111111111111' }]),
      now: new Date('2026-12-01T02:00:00Z'),
    });
    expect(emptied.resourcesGone).toBe(2);
    expect((await resources('i-g')).filter((r) => r.gone).map((r) => r.resource_id)).toEqual(['i-g1', 'i-g2', 'i-g3']);

    await syncInventory({
      sourceId,
      sourceName: 'gone',
      connector: new FixedConnector([vm('i-g2')], () => []),
      now: new Date('2026-12-01T03:00:00Z'),
    });
    expect((await resources('i-g2'))[0]?.gone).toBe(false);
  });

  it('a failure while fetching metrics stores nothing of the run, records it failed, and the next run fetches the same window', async () => {
    const sourceId = await inventorySource('fails');
    await syncInventory({
      sourceId,
      sourceName: 'fails',
      connector: new FixedConnector([vm('i-x1', '444444444444')], () => []),
      now: new Date('2026-12-02T00:00:00Z'),
    });
    const throttled = new ConnectorError('AWS throttled the requests in us-east-1 (Throttling) after 3 attempts', 'THROTTLED');
    // It lists a new resource, no longer lists i-f1 and yields samples before failing: none of it may stay.
    const failing = new FixedConnector([vm('i-x2', '444444444444')], cpu(['i-x2']), undefined, throttled);
    const thrown = await syncInventory({ sourceId, sourceName: 'fails', connector: failing, now: new Date('2026-12-02T01:00:00Z') }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(thrown).toBe(throttled);
    expect(await resources('i-x')).toEqual([
      { resource_id: 'i-x1', seen_in_inventory: true, gone: false, account_id: '444444444444', region_id: 'us-east-1' },
    ]);
    expect(await sampleCount('i-x')).toBe(0);
    const runs = await sql<{ status: string; error: string | null; metrics_end: Date | null }>(
      url,
      'SELECT status, error, metrics_end FROM inventory_runs WHERE source_id = $1 ORDER BY id',
      [sourceId],
    );
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'failed']);
    expect(runs[1]?.error).toBe('AWS throttled the requests in us-east-1 (Throttling) after 3 attempts');
    expect(runs[1]?.metrics_end).toBeNull();

    const retry = new FixedConnector([vm('i-x2', '444444444444')], cpu(['i-x2']));
    await syncInventory({ sourceId, sourceName: 'fails', connector: retry, now: new Date('2026-12-02T01:00:00Z') });
    expect(retry.windows[0]?.start).toEqual(new Date('2026-12-02T00:00:00Z'));
    expect(await sampleCount('i-x2')).toBe(2);
  });

  it('a run whose process died is marked failed by the reaper; a live one is left running', async () => {
    const sourceId = await inventorySource('reaped');
    const live = await openLockedRun(getPool(), 'inventory_runs', { source_id: sourceId, trigger: 'schedule' });
    // A dead run: its row without the lock its process held.
    const [dead] = await sql<{ id: string }>(url, `INSERT INTO inventory_runs (source_id) VALUES ($1) RETURNING id`, [sourceId]);
    expect(await reapDeadRuns(getPool(), 'inventory_runs')).toEqual([dead?.id]);
    const rows = await sql<{ id: string; status: string; error: string | null }>(
      url,
      'SELECT id, status, error FROM inventory_runs WHERE source_id = $1 ORDER BY id',
      [sourceId],
    );
    expect(rows).toEqual([
      { id: live.id, status: 'running', error: null },
      { id: dead?.id, status: 'failed', error: deadRunError('inventory_runs') },
    ]);
    expect(deadRunError('inventory_runs')).toMatch(
      /^the inventory sync stopped \(killed or crashed\) before finishing; nothing from this run was stored/,
    );
    await live.release();
  });
});
