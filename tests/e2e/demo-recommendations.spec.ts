import { expect, test } from '@playwright/test';
import { closePool, getPool } from '../../lib/db/pool';
import { stateFor } from './users';

// What a first `npm start` shows a user: the test server loads the demo as `npm start` does (bills,
// then an inventory with 14 days of metrics, then the recommendations), so the demo's own
// recommendations are there, GPU ones included, each with its evidence, and their GPUs on /gpu.
// Other specs seed resources named with "e2e"; the demo's are the others.

test.use({ storageState: stateFor('viewer') });
test.afterAll(async () => {
  await closePool();
});

interface DemoRec {
  id: string;
  kind: string;
  resource_id: string;
  sub_resource_id: string | null;
}

async function demoRecommendations(): Promise<DemoRec[]> {
  const { rows } = await getPool().query<DemoRec>(
    `SELECT id::text, kind, resource_id, sub_resource_id FROM recommendations
      WHERE status = 'open' AND resource_id NOT ILIKE '%e2e%' ORDER BY monthly_savings DESC NULLS LAST, id`,
  );
  return rows;
}

test('the list shows the demo’s recommendations of every kind it plants, GPU ones included', async ({ page }) => {
  const recs = await demoRecommendations();
  const kinds = [...new Set(recs.map((r) => r.kind))];
  expect(kinds).toEqual(
    expect.arrayContaining(['gpu-bursty', 'gpu-idle', 'gpu-memory-held', 'gpu-underused', 'idle-instance', 'rightsize']),
  );
  for (const kind of ['gpu-memory-held', 'gpu-bursty', 'gpu-idle', 'rightsize']) {
    const first = recs.find((r) => r.kind === kind) as DemoRec;
    await page.goto(`/recommendations?kind=${kind}`);
    await expect(page.locator(`[data-testid="recommendation-row"][data-id="${first.id}"]`)).toBeVisible();
    await expect(page.locator(`[data-testid="recommendation-row"]:not([data-kind="${kind}"])`)).toHaveCount(0);
  }
});

test('a demo GPU recommendation’s page shows its evidence: the chart with its threshold, the statistic, the hours of data', async ({
  page,
}) => {
  const held = (await demoRecommendations()).find((r) => r.kind === 'gpu-memory-held') as DemoRec;
  await page.goto(`/recommendations/${held.id}`);
  await expect(page.getByTestId('recommendation-resource')).toHaveText(held.resource_id);
  await expect(page.getByTestId('evidence-chart')).toBeVisible();
  await expect(page.getByTestId('evidence-chart')).toHaveAttribute('data-threshold', /^\d/);
  await expect(page.getByTestId('evidence-statistic')).toContainText(/of gpu/i);
  await expect(page.getByTestId('evidence-coverage')).toContainText(/^\d+ hours with data$/);
});

test('/gpu lists the demo’s GPUs with their utilization', async ({ page }) => {
  const gpu = (await demoRecommendations()).find((r) => r.kind.startsWith('gpu-') && r.sub_resource_id) as DemoRec;
  await page.goto('/gpu');
  const row = page.locator(`tr[data-gpu="${gpu.sub_resource_id}"]`);
  await expect(row).toBeVisible();
  await expect(page.getByTestId(`mean-${gpu.sub_resource_id}`)).toHaveText(/^\d+\.\d %$/);
});
