import { CloudCatalogClient, type protos } from '@google-cloud/billing';
import { z } from 'zod';
import { fromScaled, trimDecimal } from '../decimal';
import { describeIssues, GcpServiceAccountCredentials, type GcpServiceAccountKey, redact } from './gcp-bigquery';
import { ConnectorError, type ConnectorErrorCode } from './types';

/** One price of a SKU from the Cloud Billing Catalog: one tier of one pricing. */
export interface SkuPrice {
  skuId: string;
  description: string;
  /** Where the SKU is sold (serviceRegions): regions such as us-central1, multi-regions, or global. */
  regions: string[];
  /** The category's usage type: OnDemand, Preemptible, Commit1Yr, ... (null when the catalog gives none). */
  usageType: string | null;
  resourceFamily: string | null;
  /** The unit the price is per (pricingExpression.usageUnit), e.g. "h", "GiBy.mo". */
  unit: string;
  unitDescription: string;
  currency: string;
  /** Exact decimal text of units + nanos / 10^9, e.g. "0.012345678"; never a float. */
  unitPrice: string;
  /** Usage, in `unit`, from which this tier's price applies ("0" for the first tier). */
  tierStart: string;
  /** When this pricing took effect (RFC 3339, UTC). */
  effectiveTime: string;
}

export const SkuPriceQuery = z.object({
  /** The catalog's service ID, e.g. 6F81-5844-456A (Compute Engine); the billing export's service.id. */
  serviceId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a Cloud Billing service ID such as 6F81-5844-456A'),
  /** Cloud Billing API-compatible servers and tests only. */
  apiEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Prices converted to this ISO 4217 currency by Google; USD when absent. */
  currencyCode: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as EUR')
    .optional(),
  pageSize: z.number().int().min(1).max(5000).optional(),
});

export interface FetchSkuPricesOptions extends z.input<typeof SkuPriceQuery> {
  /** A service-account key; without it the default chain applies (GOOGLE_APPLICATION_CREDENTIALS, gcloud, metadata server). */
  credentials?: z.input<typeof GcpServiceAccountCredentials>;
  signal?: AbortSignal;
  /** Retries of a throttled or failed page request, after the first attempt. */
  maxRetries?: number;
  /** Longest wait between two attempts, in seconds. */
  maxRetryDelaySeconds?: number;
}

const DEFAULT_MAX_RETRIES = 4;
const DEFAULT_MAX_RETRY_DELAY_SECONDS = 32;

/**
 * The public list prices of a service's SKUs (services.skus.list), one entry per pricing tier,
 * fetched page by page as they are consumed. The official client runs in its HTTP/JSON mode
 * (fallback: REST), which needs no gRPC and can be pointed at any HTTP endpoint.
 */
export async function* fetchSkuPrices(options: FetchSkuPricesOptions): AsyncGenerator<SkuPrice> {
  const parsed = SkuPriceQuery.safeParse(options);
  if (!parsed.success) throw new ConnectorError(`Invalid SKU price query: ${describeIssues(parsed.error.issues)}`, 'CONFIG');
  const q = parsed.data;
  let key: GcpServiceAccountKey | undefined;
  if (options.credentials !== undefined) {
    const c = GcpServiceAccountCredentials.safeParse(options.credentials);
    if (!c.success) throw new ConnectorError(`Invalid Google Cloud service-account key: ${describeIssues(c.error.issues)}`, 'CONFIG');
    key = c.data.serviceAccountKey;
  }
  const endpoint = q.apiEndpoint ? new URL(q.apiEndpoint) : undefined;
  const client = new CloudCatalogClient({
    fallback: true,
    ...(endpoint
      ? {
          apiEndpoint: endpoint.hostname,
          port: Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443)),
          protocol: endpoint.protocol.replace(/:$/, ''),
        }
      : {}),
    credentials: key,
  });
  const ctx: CatalogErrorContext = {
    serviceId: q.serviceId,
    principal: key ? `the service account ${key.client_email}` : 'the application default credentials',
    endpoint: q.apiEndpoint ?? 'cloudbilling.googleapis.com',
    secrets: key ? [key.private_key, key.private_key_id ?? ''] : [],
    attempts: 1,
  };
  const maxAttempts = (options.maxRetries ?? DEFAULT_MAX_RETRIES) + 1;
  const maxDelayMs = (options.maxRetryDelaySeconds ?? DEFAULT_MAX_RETRY_DELAY_SECONDS) * 1000;
  const signal = options.signal;

  async function page(
    request: protos.google.cloud.billing.v1.IListSkusRequest,
  ): Promise<{ skus: protos.google.cloud.billing.v1.ISku[]; next?: string }> {
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      try {
        const [skus, , response] = await abortable(client.listSkus(request, { autoPaginate: false }), signal);
        return { skus, next: response?.nextPageToken || undefined };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const e = toConnectorError(error, { ...ctx, attempts: attempt });
        if (!e.retryable || attempt >= maxAttempts) throw e;
        await sleep(Math.min(maxDelayMs, 1000 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.25), signal);
      }
    }
  }

  try {
    let pageToken: string | undefined;
    const seen = new Set<string>();
    do {
      const { skus, next } = await page({
        parent: `services/${q.serviceId}`,
        pageSize: q.pageSize,
        pageToken,
        currencyCode: q.currencyCode,
      });
      for (const sku of skus) yield* pricesOf(sku, q.serviceId);
      if (next && seen.has(next))
        throw new ConnectorError(`The Cloud Billing Catalog returned the same page token twice for ${q.serviceId}`, 'NETWORK');
      if (next) seen.add(next);
      pageToken = next;
    } while (pageToken);
  } finally {
    await client.close();
  }
}

function* pricesOf(sku: protos.google.cloud.billing.v1.ISku, serviceId: string): Generator<SkuPrice> {
  const skuId = sku.skuId;
  if (!skuId) throw new ConnectorError(`The Cloud Billing Catalog returned a SKU without skuId for service ${serviceId}`, 'BAD_DELIVERY');
  for (const pricing of sku.pricingInfo ?? []) {
    const expression = pricing.pricingExpression;
    for (const rate of expression?.tieredRates ?? []) {
      const price = rate.unitPrice;
      if (!price?.currencyCode) {
        throw new ConnectorError(`SKU ${skuId} of service ${serviceId} has a price without a currency`, 'BAD_DELIVERY');
      }
      yield {
        skuId,
        description: sku.description ?? '',
        regions: [...(sku.serviceRegions ?? [])],
        usageType: sku.category?.usageType || null,
        resourceFamily: sku.category?.resourceFamily || null,
        unit: expression?.usageUnit ?? '',
        unitDescription: expression?.usageUnitDescription ?? '',
        currency: price.currencyCode,
        unitPrice: moneyToDecimal(longText(price.units), price.nanos ?? 0, `SKU ${skuId}`),
        tierStart: String(rate.startUsageAmount ?? 0),
        effectiveTime: timestampText(pricing.effectiveTime, `SKU ${skuId}`),
      };
    }
  }
}

/**
 * google.type.Money as exact decimal text: units (int64, as text) + nanos / 10^9, where nanos has
 * the sign of units and |nanos| < 10^9. Computed in integers; "0.012345678" for units "0" and
 * nanos 12345678.
 */
export function moneyToDecimal(units: string, nanos: number, what = 'a price'): string {
  if (!/^-?\d+$/.test(units) || !Number.isInteger(nanos) || Math.abs(nanos) > 999_999_999) {
    throw new ConnectorError(`${what}: not a valid amount (units ${JSON.stringify(units)}, nanos ${nanos})`, 'BAD_DELIVERY');
  }
  return trimDecimal(fromScaled(BigInt(units) * 1_000_000_000n + BigInt(nanos), 9));
}

type LongLike = number | string | { toString(): string } | null | undefined;

function longText(value: LongLike): string {
  if (value === null || value === undefined) return '0';
  return typeof value === 'number' ? String(Math.trunc(value)) : value.toString();
}

function timestampText(value: protos.google.protobuf.ITimestamp | null | undefined, what: string): string {
  const seconds = longText(value?.seconds);
  const nanos = value?.nanos ?? 0;
  if (!/^-?\d+$/.test(seconds) || !Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
    throw new ConnectorError(`${what}: unreadable effectiveTime`, 'BAD_DELIVERY');
  }
  const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const fraction = String(nanos).padStart(9, '0').replace(/0+$/, '');
  return `${iso}${fraction ? `.${fraction}` : ''}Z`;
}

function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    // The client's call cannot be cancelled from here: an abort stops waiting for it.
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------------------------
// google-gax errors (gRPC status codes, also in the HTTP/JSON mode) -> ConnectorError.

interface CatalogErrorContext {
  serviceId: string;
  principal: string;
  endpoint: string;
  secrets: string[];
  attempts: number;
}

export interface GaxErrorShape {
  name?: string;
  message?: string;
  code?: number | string;
  /** HTTP status of a GaxiosError (non-2xx responses are thrown before gax decodes them). */
  status?: number | string;
  reason?: string;
  response?: { status?: number };
  cause?: { code?: string; message?: string };
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; errors?: { reason?: string }[]; details?: { reason?: string }[] };
}

const STATUS: Record<number, string> = {
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

const HTTP_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/**
 * The status, message and reason of a failed call. gax decodes an error body into a GoogleError
 * (gRPC code); the auth library's fetch throws a GaxiosError for a non-2xx response first, with
 * the HTTP status and the error body as its message.
 */
export function describeFailure(e: GaxErrorShape): { status?: string; text: string; reason?: string } {
  const raw = (e.message ?? '').trim();
  const http = [e.response?.status, e.status, e.code].find((v): v is number => typeof v === 'number' && v >= 100);
  if (http !== undefined) {
    let body: GoogleErrorBody | undefined;
    try {
      body = JSON.parse(raw) as GoogleErrorBody;
    } catch {}
    const err = body?.error;
    const status =
      err?.status && Object.values(STATUS).includes(err.status)
        ? err.status
        : (HTTP_STATUS[http] ?? (http >= 500 ? 'UNAVAILABLE' : undefined));
    const reason = err?.details?.find((d) => d.reason)?.reason ?? err?.errors?.find((x) => x.reason)?.reason;
    return { status: status ?? `HTTP ${http}`, text: (err?.message ?? raw).replace(/\s+/g, ' '), reason };
  }
  const status = typeof e.code === 'number' ? STATUS[e.code] : undefined;
  return { status, text: raw.replace(/\s+/g, ' ') || String(e), reason: e.reason };
}

function toConnectorError(error: unknown, ctx: CatalogErrorContext): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const e = (error ?? {}) as GaxErrorShape;
  const fail = (message: string, kind: ConnectorErrorCode) => new ConnectorError(redact(message, ctx.secrets), kind);
  const { status, text, reason } = describeFailure(e);
  const after = ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : '';
  const what = `the prices of service ${ctx.serviceId}`;

  if (/Could not load the default credentials/i.test(text)) {
    return fail(`No Google Cloud credentials to read ${what}: none were given, and application default credentials found none.`, 'AUTH');
  }
  const crypto = [e.code, e.cause?.code].find((c): c is string => typeof c === 'string' && c.startsWith('ERR_OSSL'));
  if (crypto)
    return fail(`The private_key of ${ctx.principal}'s key cannot be read (${crypto}); paste the key file again as downloaded.`, 'CONFIG');
  if (status === 'UNAUTHENTICATED') {
    return fail(`The Cloud Billing Catalog API rejected ${ctx.principal} (${status}: ${text}) reading ${what}.`, 'AUTH');
  }
  if (status === 'PERMISSION_DENIED') {
    if (reason === 'SERVICE_DISABLED' || /has not been used|is disabled/i.test(text)) {
      return fail(
        `The Cloud Billing API is not enabled for ${ctx.principal}'s project (${status}: ${text}). Enable it, then try again.`,
        'CONFIG',
      );
    }
    return fail(`The Cloud Billing Catalog API denied ${ctx.principal} reading ${what} (${status}: ${text}).`, 'AUTH');
  }
  if (status === 'NOT_FOUND') {
    return fail(
      `The Cloud Billing Catalog has no service ${ctx.serviceId} (${status}: ${text}). Use the service ID of the billing export's service.id column, e.g. 6F81-5844-456A for Compute Engine.`,
      'NOT_FOUND',
    );
  }
  if (status === 'RESOURCE_EXHAUSTED') {
    return fail(
      `The Cloud Billing Catalog API throttled the requests for ${what} (${status}: ${text})${after}; try again later.`,
      'THROTTLED',
    );
  }
  if (status === 'UNAVAILABLE' || status === 'DEADLINE_EXCEEDED' || status === 'INTERNAL') {
    return fail(`The Cloud Billing Catalog API failed reading ${what} (${status}: ${text})${after}.`, 'NETWORK');
  }
  if (status) return fail(`The Cloud Billing Catalog API refused the request for ${what} (${status}: ${text}).`, 'CONFIG');
  const code = [e.code, e.cause?.code].find((c): c is string => typeof c === 'string');
  return fail(`Cannot reach the Cloud Billing Catalog API at ${ctx.endpoint} for ${what}: ${code ?? text}${after}.`, 'NETWORK');
}
