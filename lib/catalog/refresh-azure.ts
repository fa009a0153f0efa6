import { plural } from '../connectors/messages';
import { ConnectorError } from '../connectors/types';
import { fromScaled, toScaled, trimDecimal } from '../decimal';
import type { RefreshedPrice } from './store';

/**
 * Azure VM pay-as-you-go Linux prices from the Azure Retail Prices API: an unauthenticated REST
 * API (GET https://prices.azure.com/api/retail/prices?$filter=…), pages of up to 1000 items
 * followed through NextPageLink. Prices arrive as JSON numbers; they are read as the text the
 * response holds (JSON.parse's source access), never through a float.
 */
export const AZURE_RETAIL_PRICES_URL = 'https://prices.azure.com/api/retail/prices';
const API_VERSION = '2023-01-01-preview';

export interface AzureRefreshOptions {
  /** armRegionName values (eastus, westeurope, …); all regions when empty. */
  regions?: readonly string[];
  /** ISO 4217 code; USD when absent (the API converts). */
  currency?: string;
  /** Retail Prices API-compatible servers and tests only. */
  endpoint?: string;
  /** Retries of a throttled (429) or failed (5xx) page, after the first attempt. */
  maxRetries?: number;
  /** Longest wait between attempts, in milliseconds. */
  maxRetryDelayMs?: number;
  signal?: AbortSignal;
}

export interface RetailPriceItem {
  currencyCode: string;
  /** Exact decimal text of the response's number. */
  retailPrice: string;
  armRegionName: string;
  armSkuName: string;
  productName: string;
  skuName: string;
  serviceName: string;
  type: string;
  unitOfMeasure: string;
  effectiveStartDate: string;
  isPrimaryMeterRegion?: boolean;
}

/** The OData filter of one region's (or every region's) VM consumption prices. */
export function retailPricesFilter(region: string | null): string {
  const parts = ["serviceName eq 'Virtual Machines'", "priceType eq 'Consumption'"];
  if (region) parts.push(`armRegionName eq '${region.replaceAll("'", "''")}'`);
  return parts.join(' and ');
}

/** Whether an item is a Linux pay-as-you-go VM hour: Windows, Spot and Low Priority meters are other prices. */
export function isLinuxOnDemand(item: RetailPriceItem): boolean {
  return (
    item.type === 'Consumption' &&
    item.unitOfMeasure === '1 Hour' &&
    item.armSkuName !== '' &&
    !/Windows/i.test(item.productName) &&
    !/\b(Spot|Low Priority)\b/i.test(item.skuName) &&
    item.isPrimaryMeterRegion !== false
  );
}

/** A page's JSON with retailPrice/unitPrice kept as their decimal text. */
function parsePage(text: string, where: string): { Items?: unknown[]; NextPageLink?: string | null } {
  try {
    // Node's JSON.parse passes the number's source text to the reviver (context.source).
    const reviver = (key: string, value: unknown, context?: { source?: string }) =>
      (key === 'retailPrice' || key === 'unitPrice') && typeof value === 'number' && context?.source ? context.source : value;
    return JSON.parse(text, reviver as (key: string, value: unknown) => unknown) as { Items?: unknown[]; NextPageLink?: string | null };
  } catch {
    throw new ConnectorError(
      `Azure Retail Prices API, ${where}: the answer is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
      'BAD_DELIVERY',
    );
  }
}

function plainDecimal(text: string, what: () => string): string {
  try {
    const [v, scale] = toScaled(text);
    if (v < 0n) throw new Error('negative');
    return trimDecimal(fromScaled(v, scale));
  } catch {
    throw new ConnectorError(`Azure Retail Prices API, ${what()}: retailPrice ${JSON.stringify(text)} is not a price`, 'BAD_DELIVERY');
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

export async function* fetchRetailPrices(options: AzureRefreshOptions & { filter: string }): AsyncGenerator<RetailPriceItem> {
  const first = new URL(options.endpoint ?? AZURE_RETAIL_PRICES_URL);
  first.searchParams.set('api-version', API_VERSION);
  first.searchParams.set('$filter', options.filter);
  if (options.currency) first.searchParams.set('currencyCode', `'${options.currency}'`);
  const maxRetries = options.maxRetries ?? 4;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;
  let next: string | null = first.toString();
  const seen = new Set<string>();
  let page = 0;
  while (next) {
    page++;
    const where = `page ${page} of ${options.filter}`;
    let text: string | undefined;
    for (let attempt = 1; text === undefined; attempt++) {
      let res: Response;
      try {
        res = await fetch(next, { signal: options.signal, headers: { accept: 'application/json' } });
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        const c = (error as { cause?: { code?: string; message?: string } }).cause;
        const cause = c?.code ?? c?.message ?? String(error);
        if (attempt <= maxRetries) {
          await sleep(Math.min(maxDelay, 1000 * 2 ** (attempt - 1)), options.signal);
          continue;
        }
        throw new ConnectorError(
          `Azure Retail Prices API, ${where}: cannot reach ${new URL(next).host} (${cause}) after ${plural(attempt, 'attempt')}`,
          'NETWORK',
        );
      }
      if (res.ok) {
        text = await res.text();
        break;
      }
      const body = (await res.text()).slice(0, 200);
      const retryable = res.status === 429 || res.status >= 500;
      if (retryable && attempt <= maxRetries) {
        const after = Number(res.headers.get('retry-after'));
        await sleep(Math.min(maxDelay, Number.isFinite(after) && after > 0 ? after * 1000 : 1000 * 2 ** (attempt - 1)), options.signal);
        continue;
      }
      const code = res.status === 429 ? 'THROTTLED' : res.status >= 500 ? 'NETWORK' : 'CONFIG';
      throw new ConnectorError(
        `Azure Retail Prices API, ${where}: HTTP ${res.status}${retryable ? ` after ${plural(attempt, 'attempt')}` : ''}: ${body}`,
        code,
      );
    }
    const json = parsePage(text, where);
    if (!Array.isArray(json.Items))
      throw new ConnectorError(`Azure Retail Prices API, ${where}: the answer has no Items list`, 'BAD_DELIVERY');
    for (const raw of json.Items) {
      const item = raw as Partial<RetailPriceItem> & { retailPrice?: unknown };
      if (typeof item.armSkuName !== 'string' || typeof item.armRegionName !== 'string' || typeof item.currencyCode !== 'string') {
        throw new ConnectorError(
          `Azure Retail Prices API, ${where}: an item lacks armSkuName, armRegionName or currencyCode`,
          'BAD_DELIVERY',
        );
      }
      const price = typeof item.retailPrice === 'string' ? item.retailPrice : String(item.retailPrice);
      yield {
        currencyCode: item.currencyCode,
        retailPrice: plainDecimal(price, () => `${where}, ${item.armSkuName} in ${item.armRegionName}`),
        armRegionName: item.armRegionName,
        armSkuName: item.armSkuName,
        productName: item.productName ?? '',
        skuName: item.skuName ?? '',
        serviceName: item.serviceName ?? '',
        type: item.type ?? '',
        unitOfMeasure: item.unitOfMeasure ?? '',
        effectiveStartDate: item.effectiveStartDate ?? '',
        isPrimaryMeterRegion: item.isPrimaryMeterRegion,
      };
    }
    next = json.NextPageLink || null;
    if (next && seen.has(next))
      throw new ConnectorError(`Azure Retail Prices API, ${where}: the same NextPageLink came twice`, 'BAD_DELIVERY');
    if (next) seen.add(next);
  }
}

/**
 * Linux on-demand VM prices per size and region. Where the API lists a size twice in a region
 * (a price change with two effective dates), the later effective date wins.
 */
export async function fetchAzurePrices(options: AzureRefreshOptions = {}): Promise<RefreshedPrice[]> {
  const best = new Map<string, { item: RetailPriceItem }>();
  const regions = options.regions?.length ? options.regions : [null];
  for (const region of regions) {
    for await (const item of fetchRetailPrices({ ...options, filter: retailPricesFilter(region) })) {
      if (!isLinuxOnDemand(item)) continue;
      const key = `${item.armSkuName}\u0000${item.armRegionName}`;
      const seen = best.get(key);
      if (!seen || item.effectiveStartDate > seen.item.effectiveStartDate) best.set(key, { item });
    }
  }
  return [...best.values()].map(({ item }) => ({
    type: item.armSkuName,
    region: item.armRegionName,
    currency: item.currencyCode,
    hourly: item.retailPrice,
    source: `Azure Retail Prices API (effective ${item.effectiveStartDate.slice(0, 10)})`,
  }));
}
