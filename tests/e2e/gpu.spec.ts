import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { addDays, addMonths, utcToday } from '../../lib/calendar';
import { closePool, withTransaction } from '../../lib/db/pool';
import { ingestFile } from '../../lib/ingest/pipeline';
import type { SampleBatch } from '../../lib/inventory/types';
import { importSamples } from '../../lib/metrics/store';
import { upsertResources } from '../../lib/resources/store';
import { CAPTURES, gpuSamples, readCapture } from '../helpers/gpu-telemetry';
import { stateFor } from './users';

// The GPU page as a user sees it. One machine of its own, seeded through the product's write
// paths (the inventory upsert, the metrics import, a FOCUS bill through the ingest): a g5.12xlarge
// (4 GPUs in the shipped catalog) with two GPUs reporting yesterday's 24 hours, built from real
// nvidia-smi readings (tests/fixtures/metrics/gpu): one loaded all day, one loaded 6 hours and
// idle 18; the machine billed 96.00 USD yesterday. Expected figures are worked out by hand below.

const MACHINE = 'i-0e2egpu00000001';
const YESTERDAY = addDays(utcToday(), -1);

test.beforeAll(async () => {
  if (!process.env.BASE_URL || !process.env.DATABASE_URL)
    throw new Error('BASE_URL and DATABASE_URL must point at the running app and its database');
  const h100 = readCapture(CAPTURES.h100);
  const start = Date.parse(`${YESTERDAY}T00:00:00Z`);
  const batches: SampleBatch[] = [
    ...gpuSamples({
      provider: 'aws',
      machineId: MACHINE,
      uuid: 'GPU-e2e-busy',
      capture: h100,
      start,
      hours: 24,
      util: () => 'load',
      memory: 'load',
    }).batches,
    ...gpuSamples({
      provider: 'aws',
      machineId: MACHINE,
      uuid: 'GPU-e2e-bursty',
      capture: h100,
      start,
      hours: 24,
      util: (h) => (h < 6 ? 'load' : 'idle'),
      memory: 'load',
    }).batches,
  ];
  await withTransaction(async (c) => {
    await upsertResources(
      c,
      [
        {
          provider: 'aws',
          resourceId: MACHINE,
          kind: 'instance',
          resourceType: 'g5.12xlarge',
          accountId: '310000000001',
          regionId: 'us-east-1',
          tags: { team: 'e2e-ml' },
        },
        { provider: 'aws', resourceId: MACHINE, subResourceId: 'GPU-e2e-busy', kind: 'gpu', resourceType: 'NVIDIA A10G' },
        { provider: 'aws', resourceId: MACHINE, subResourceId: 'GPU-e2e-bursty', kind: 'gpu', resourceType: 'NVIDIA A10G' },
      ],
      { origin: 'inventory' },
    );
    await importSamples(c, batches, { label: 'gpu.spec' });
  });
  const month = YESTERDAY.slice(0, 7);
  const next = addMonths(month, 1);
  const file = path.join(os.tmpdir(), `gpu-spec-${process.pid}.csv`);
  await writeFile(
    file,
    [
      'BillingCurrency,ProviderName,BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,RegionId,ResourceId,BilledCost,EffectiveCost',
      `USD,AWS,310000000001,${month}-01T00:00:00Z,${next}-01T00:00:00Z,${YESTERDAY}T00:00:00Z,${utcToday()}T00:00:00Z,Usage,Amazon EC2,us-east-1,${MACHINE},100.00,96.00`,
      '',
    ].join('\n'),
  );
  await ingestFile({ file, format: 'focus', sourceName: 'e2e GPU bill' });
});

test.afterAll(async () => {
  await closePool();
});

test('the fleet table prices idle and useful GPU-hours from the machine’s bill', async ({ page }) => {
  await page.goto('/gpu');
  await expect(page.getByRole('heading', { name: 'GPUs', level: 1 })).toBeVisible();
  // 96.00 USD ÷ 4 GPUs = 24 each. Busy: 24 useful hours → 1.00 per useful hour, nothing idle.
  await expect(page.getByTestId('useful-cost-GPU-e2e-busy')).toHaveText(/^USD\s1\.00$/);
  await expect(page.getByTestId('idle-cost-GPU-e2e-busy')).toHaveText(/^USD\s0\.00$/);
  await expect(page.getByTestId('mean-GPU-e2e-busy')).toHaveText('100.0 %');
  // Bursty: 6 of 24 hours at 100 % → mean 25 %, 6 useful hours → 24 / 6 = 4.00; 18 idle hours → 24 × 18 / 24 = 18.00.
  await expect(page.getByTestId('useful-cost-GPU-e2e-bursty')).toHaveText(/^USD\s4\.00$/);
  await expect(page.getByTestId('idle-cost-GPU-e2e-bursty')).toHaveText(/^USD\s18\.00$/);
  await expect(page.getByTestId('mean-GPU-e2e-bursty')).toHaveText('25.0 %');
  const row = page.locator('tr[data-gpu="GPU-e2e-bursty"]');
  await expect(row).toContainText('g5.12xlarge · 4 GPUs');
  await expect(row).toContainText('e2e-ml');
});

test('the team group adds both GPUs: 48.00 ÷ 30 useful hours = 1.60', async ({ page }) => {
  await page.goto('/gpu');
  await expect(page.getByTestId('gpu-by-team-useful-e2e-ml')).toHaveText(/^USD\s1\.60$/);
  await expect(page.getByTestId('gpu-by-account').locator('tr[data-group="310000000001"]')).toContainText(/USD\s48\.00/);
});

test('a GPU’s heatmap shows its hours by day and hour of day, and the fleet heatmap has its legend', async ({ page }) => {
  await page.goto('/gpu');
  await expect(page.getByTestId('fleet-heatmap-legend')).toContainText('≥ 80 %');
  const row = page.locator('tr[data-gpu="GPU-e2e-bursty"]');
  await row.getByText('Show').click();
  const heatmap = page.getByTestId('heatmap-GPU-e2e-bursty');
  await expect(heatmap).toBeVisible();
  // Yesterday is the 13th row (index 12) of the 14-day window ending today.
  await expect(heatmap.locator('td[data-cell="12-5"]')).toHaveAttribute('data-value', '100.00');
  await expect(heatmap.locator('td[data-cell="12-6"]')).toHaveAttribute('data-value', '0.00');
  await expect(heatmap.locator('td[data-cell="13-6"]')).toHaveAttribute('data-value', '');
});

test('the GPU spend chart draws the bills per currency', async ({ page }) => {
  await page.goto('/gpu');
  await expect(page.getByTestId('gpu-spend-chart-USD')).toBeVisible();
  const total = await page.getByTestId('gpu-spend-total-USD').getAttribute('data-amount');
  expect(Number(total)).toBeGreaterThanOrEqual(96);
});

test.describe('as a viewer', () => {
  test.use({ storageState: stateFor('viewer') });
  test('the header links to GPUs and the page opens', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'GPUs' }).click();
    await expect(page).toHaveURL(/\/gpu$/);
    await expect(page.getByTestId('useful-cost-GPU-e2e-busy')).toHaveText(/^USD\s1\.00$/);
  });
});
