// npm run catalog -- build [FIXTURES_DIR]
//   re-makes catalog/*.csv from the public extracts (tests/fixtures/instance-catalog by default).
// npm run catalog -- refresh aws|azure|gcp [--region R]... [--currency C] [--key-file F] [--endpoint URL] [--json]
//   reads the provider's current on-demand Linux prices and stores them in catalog_prices (one
//   transaction), where they win over the shipped prices. AWS credentials come from the SDK's
//   default chain (AWS_ACCESS_KEY_ID…, profile, role); GCP's from --key-file or application default
//   credentials; Azure's Retail Prices API needs none.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fetchAwsPrices } from '../lib/catalog/refresh-aws';
import { fetchAzurePrices } from '../lib/catalog/refresh-azure';
import { fetchGcpPrices } from '../lib/catalog/refresh-gcp';
import { type RefreshedPrice, storeRefreshedPrices } from '../lib/catalog/store';
import { plural } from '../lib/connectors/messages';
import { resolveDatabase } from '../lib/db/connect';
import { closePool, getPool } from '../lib/db/pool';
import { buildCatalog } from './catalog-build';

const USAGE = `usage: npm run catalog -- build [FIXTURES_DIR]
       npm run catalog -- refresh aws|azure|gcp [--region REGION]... [--currency CODE] [--key-file FILE] [--endpoint URL] [--json]`;

const PROVIDERS = ['aws', 'azure', 'gcp'] as const;
type Provider = (typeof PROVIDERS)[number];

async function refresh(provider: Provider, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      region: { type: 'string', multiple: true },
      currency: { type: 'string' },
      'key-file': { type: 'string' },
      endpoint: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const regions = values.region ?? [];
  if (values.currency && provider === 'aws') throw new UsageError('--currency: the AWS Price List has USD prices only');
  if (values.currency && !/^[A-Z]{3}$/.test(values.currency)) throw new UsageError(`--currency ${values.currency}: not an ISO 4217 code`);
  if (values['key-file'] && provider !== 'gcp') throw new UsageError('--key-file is for gcp');
  const log = values.json ? () => {} : (line: string) => console.error(line);
  const startedAt = new Date();
  log(`reading ${provider} prices${regions.length ? ` for ${regions.join(', ')}` : ' for every region'}…`);
  let prices: RefreshedPrice[];
  if (provider === 'aws') prices = await fetchAwsPrices({ regions, endpoint: values.endpoint });
  else if (provider === 'azure') prices = await fetchAzurePrices({ regions, endpoint: values.endpoint, currency: values.currency });
  else {
    const keyFile = values['key-file'];
    prices = await fetchGcpPrices({
      regions,
      apiEndpoint: values.endpoint,
      currencyCode: values.currency,
      credentials: keyFile ? { serviceAccountKey: readFileSync(keyFile, 'utf8') } : undefined,
    });
  }
  const db = await resolveDatabase(log);
  process.env.DATABASE_URL = db.url;
  try {
    const stored = await storeRefreshedPrices(getPool(), provider, prices, { regions, startedAt });
    const types = new Set(prices.map((p) => p.type)).size;
    const inRegions = new Set(prices.map((p) => p.region)).size;
    if (values.json)
      console.log(JSON.stringify({ provider, prices: stored.prices, types, regions: inRegions, refreshId: stored.refreshId }));
    else console.log(`${provider}: stored ${plural(stored.prices, 'price')} (${plural(types, 'type')} in ${plural(inRegions, 'region')})`);
  } finally {
    await closePool();
    await db.stop();
  }
  return 0;
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'build') {
      const fixtures = path.resolve(rest[0] ?? path.join(process.cwd(), 'tests/fixtures/instance-catalog'));
      const counts = buildCatalog(fixtures, path.join(process.cwd(), 'catalog'));
      for (const [what, n] of Object.entries(counts)) console.log(`${what}: ${n}`);
      return 0;
    }
    if (command === 'refresh') {
      const [provider, ...args] = rest;
      if (!PROVIDERS.includes(provider as Provider))
        throw new UsageError(`refresh: which provider? (${PROVIDERS.join('|')}), not ${JSON.stringify(provider ?? '')}`);
      return await refresh(provider as Provider, args);
    }
    throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'no command');
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}\nnothing was stored.`);
    process.exit(1);
  },
);
