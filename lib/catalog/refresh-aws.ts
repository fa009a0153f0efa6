import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { NETWORK_ERROR_CODES, plural, redactAwsSecrets, type SdkErrorShape } from '../connectors/messages';
import { ConnectorError, type ConnectorErrorCode } from '../connectors/types';
import { trimDecimal } from '../decimal';
import type { RefreshedPrice } from './store';

/**
 * EC2 on-demand Linux prices from the AWS Price List Query API (pricing:GetProducts through the
 * official @aws-sdk/client-pricing). The API answers from us-east-1 (and a few other regions) for
 * every region; each PriceList entry is a JSON document (product attributes + terms) as a string.
 */
export interface AwsRefreshOptions {
  /** Region codes (us-east-1, …) to read; all regions when empty. */
  regions?: readonly string[];
  /** Access key; the SDK's default chain when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Price List API-compatible servers and tests only. */
  endpoint?: string;
  /** Attempts per request, the first included (the SDK backs off between them). */
  maxAttempts?: number;
  signal?: AbortSignal;
}

/** The filters that leave one price per instance type and region: Linux, shared tenancy, no pre-installed software, on-demand capacity. */
export const LINUX_ON_DEMAND_FILTERS: readonly [field: string, value: string][] = [
  ['operatingSystem', 'Linux'],
  ['tenancy', 'Shared'],
  ['preInstalledSw', 'NA'],
  ['capacitystatus', 'Used'],
  ['licenseModel', 'No License required'],
];

/**
 * Region codes of the Price List's `location` names, for entries published before the
 * `regionCode` attribute existed (such as instance-selector's GetProducts fixture).
 */
const LOCATION_REGION: Readonly<Record<string, string>> = {
  'US East (N. Virginia)': 'us-east-1',
  'US East (Ohio)': 'us-east-2',
  'US West (N. California)': 'us-west-1',
  'US West (Oregon)': 'us-west-2',
  'Canada (Central)': 'ca-central-1',
  'EU (Ireland)': 'eu-west-1',
  'EU (London)': 'eu-west-2',
  'EU (Paris)': 'eu-west-3',
  'EU (Frankfurt)': 'eu-central-1',
  'EU (Stockholm)': 'eu-north-1',
  'EU (Milan)': 'eu-south-1',
  'Asia Pacific (Tokyo)': 'ap-northeast-1',
  'Asia Pacific (Seoul)': 'ap-northeast-2',
  'Asia Pacific (Osaka)': 'ap-northeast-3',
  'Asia Pacific (Singapore)': 'ap-southeast-1',
  'Asia Pacific (Sydney)': 'ap-southeast-2',
  'Asia Pacific (Mumbai)': 'ap-south-1',
  'South America (Sao Paulo)': 'sa-east-1',
};

interface PriceListItem {
  product?: { sku?: string; attributes?: Record<string, string> };
  terms?: {
    OnDemand?: Record<
      string,
      { effectiveDate?: string; priceDimensions?: Record<string, { unit?: string; pricePerUnit?: Record<string, string> }> }
    >;
  };
  publicationDate?: string;
}

/**
 * One PriceList entry → its price, or null when it is not an instance-hour price (or is zero: no
 * price). The wire carries each entry as JSON text.
 */
export function parsePriceListItem(entry: unknown, where: string): RefreshedPrice | null {
  // The SDK wraps each entry in a String object (its LazyJsonString); a plain string elsewhere.
  const text = typeof entry === 'string' ? entry : entry instanceof String ? entry.toString() : null;
  if (text === null) throw new ConnectorError(`${where}: a PriceList entry is ${typeof entry}, not JSON text`, 'BAD_DELIVERY');
  let item: PriceListItem;
  try {
    item = JSON.parse(text) as PriceListItem;
  } catch {
    throw new ConnectorError(`${where}: a PriceList entry is not JSON: ${JSON.stringify(text.slice(0, 80))}`, 'BAD_DELIVERY');
  }
  const attrs = item.product?.attributes ?? {};
  const type = attrs.instanceType;
  if (!type) return null;
  const region = attrs.regionCode ?? (attrs.location ? LOCATION_REGION[attrs.location] : undefined);
  if (!region)
    throw new ConnectorError(
      `${where}: SKU ${item.product?.sku} of ${type} has no regionCode and an unknown location ${JSON.stringify(attrs.location)}`,
      'BAD_DELIVERY',
    );
  const terms = Object.values(item.terms?.OnDemand ?? {});
  const dims = terms.flatMap((t) => Object.values(t.priceDimensions ?? {}).map((d) => ({ d, effective: t.effectiveDate })));
  const hourly = dims.filter(({ d }) => d.unit === 'Hrs');
  if (hourly.length === 0) return null;
  if (hourly.length > 1)
    throw new ConnectorError(
      `${where}: SKU ${item.product?.sku} of ${type} in ${region} has ${hourly.length} hourly on-demand prices`,
      'BAD_DELIVERY',
    );
  const { d, effective } = hourly[0]!;
  const currencies = Object.entries(d.pricePerUnit ?? {});
  if (currencies.length !== 1)
    throw new ConnectorError(
      `${where}: SKU ${item.product?.sku} of ${type} in ${region} has ${currencies.length} currencies`,
      'BAD_DELIVERY',
    );
  const [currency, amount] = currencies[0]!;
  if (!/^\d+(\.\d+)?$/.test(amount))
    throw new ConnectorError(
      `${where}: SKU ${item.product?.sku} of ${type} in ${region}: price ${JSON.stringify(amount)} is not a decimal`,
      'BAD_DELIVERY',
    );
  const value = trimDecimal(amount);
  if (value === '0') return null;
  const date = (effective ?? item.publicationDate ?? '').slice(0, 10);
  return { type, region, currency, hourly: value, source: `AWS Price List API${date ? ` (effective ${date})` : ''}` };
}

export async function fetchAwsPrices(options: AwsRefreshOptions = {}): Promise<RefreshedPrice[]> {
  const client = new PricingClient({
    // The Price List Query API is served from us-east-1 for all regions' prices.
    region: 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts ?? 4,
  });
  const secrets = options.credentials ? [options.credentials.secretAccessKey, options.credentials.sessionToken ?? ''] : [];
  const regions = options.regions?.length ? options.regions : [null];
  const out: RefreshedPrice[] = [];
  try {
    for (const region of regions) {
      let token: string | undefined;
      let page = 0;
      do {
        page++;
        const where = `GetProducts AmazonEC2${region ? ` ${region}` : ''} page ${page}`;
        const res = await client
          .send(
            new GetProductsCommand({
              ServiceCode: 'AmazonEC2',
              FormatVersion: 'aws_v1',
              Filters: [...LINUX_ON_DEMAND_FILTERS, ...(region ? [['regionCode', region] as const] : [])].map(([Field, Value]) => ({
                Type: 'TERM_MATCH',
                Field,
                Value,
              })),
              MaxResults: 100,
              NextToken: token,
            }),
            { abortSignal: options.signal },
          )
          .catch((error: unknown) => {
            throw toConnectorError(error, secrets, where);
          });
        const list: unknown = res.PriceList ?? [];
        if (!Array.isArray(list)) throw new ConnectorError(`${where}: PriceList is not a list`, 'BAD_DELIVERY');
        for (const entry of list) {
          const p = parsePriceListItem(entry, where);
          if (p && (!region || p.region === region)) out.push(p);
        }
        token = res.NextToken || undefined;
      } while (token);
    }
  } finally {
    client.destroy();
  }
  return out;
}

const AUTH_CODES = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'MissingAuthenticationTokenException',
  'AccessDeniedException',
  'CredentialsProviderError',
]);

function toConnectorError(error: unknown, secrets: readonly string[], where: string): Error {
  if (error instanceof ConnectorError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  if (e.name === 'AbortError') return error as Error;
  const code = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'Error');
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const fail = (kind: ConnectorErrorCode, why: string) =>
    new ConnectorError(
      redactAwsSecrets(`AWS Price List API, ${where}: ${why} (${code}${status ? `, HTTP ${status}` : ''}: ${e.message ?? ''})`, secrets),
      kind,
    );
  if (AUTH_CODES.has(code) || status === 403) {
    return fail(
      'AUTH',
      /Expired/.test(code) ? 'the credentials have expired' : 'AWS rejected the credentials or denied pricing:GetProducts',
    );
  }
  if (e.$retryable?.throttling || code === 'ThrottlingException' || status === 429) {
    return fail('THROTTLED', `throttled${attempts ? ` after ${plural(attempts, 'attempt')}` : ''}; try again later`);
  }
  if ((e.code && NETWORK_ERROR_CODES.has(e.code)) || NETWORK_ERROR_CODES.has(code) || code === 'TimeoutError') {
    return fail('NETWORK', 'the endpoint could not be reached');
  }
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return fail('NETWORK', 'the service failed');
  return fail('CONFIG', 'the request was refused');
}
