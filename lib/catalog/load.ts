import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { toScaled, trimDecimal } from '../decimal';
import { CsvParser, type CsvRecord } from '../ingest/csv';
import type { ResourceProvider } from '../resources/normalize';
import type { Catalog, CatalogPrice, InstanceTypeSpec } from './types';

/**
 * The instance catalog in memory: the shipped data files (catalog/<provider>-types.csv and
 * -prices.csv, made by scripts/catalog-build.ts from public extracts, sources in catalog/README.md)
 * with the prices a refresh stored in catalog_prices (migration 0014) taking precedence over the
 * shipped ones for the same provider, type and region.
 */

export const CATALOG_PROVIDERS = ['aws', 'azure', 'gcp'] as const;
export type CatalogProvider = (typeof CATALOG_PROVIDERS)[number];

export const TYPE_COLUMNS = [
  'type',
  'vcpus',
  'memory_mib',
  'arch',
  'family',
  'generation',
  'current_generation',
  'gpu_count',
  'gpu_model',
  'gpu_memory_mib',
  /** Space-separated MIG profile names of one GPU. */
  'mig_profiles',
  'source',
] as const;

export const PRICE_COLUMNS = ['type', 'region', 'currency', 'hourly', 'source'] as const;

/** Where the shipped files are: catalog/ at the repository root (the process runs from there, as for migrations). */
export const CATALOG_DIR = path.resolve(process.cwd(), 'catalog');

export class CatalogFileError extends Error {}

interface Shipped {
  types: Map<CatalogProvider, InstanceTypeSpec[]>;
  /** provider → type → region → price */
  prices: Map<CatalogProvider, Map<string, Map<string, CatalogPrice>>>;
}

const cache = new Map<string, Shipped>();

function readRows(file: string, columns: readonly string[]): { line: number; get: (c: string) => string }[] {
  const parser = new CsvParser();
  const out: CsvRecord[] = [];
  parser.push(readFileSync(file, 'utf8'), out);
  parser.end(out);
  const [head, ...rows] = out;
  if (!head || head.fields.join(',') !== columns.join(',')) {
    throw new CatalogFileError(`${file}, line 1: the header must be ${columns.join(',')}, not ${head?.fields.join(',') ?? '(empty file)'}`);
  }
  return rows.map(({ fields, line }) => {
    if (fields.length !== columns.length) {
      throw new CatalogFileError(`${file}, line ${line}: ${fields.length} fields, the header has ${columns.length}`);
    }
    return { line, get: (c: string) => fields[columns.indexOf(c)] ?? '' };
  });
}

function fail(file: string, line: number, col: string, value: string, why: string): never {
  throw new CatalogFileError(`${file}, line ${line}, column ${col}: ${JSON.stringify(value)} ${why}`);
}

function int(file: string, line: number, col: string, value: string, optional = false): number | null {
  if (optional && value === '') return null;
  if (!/^\d+$/.test(value)) fail(file, line, col, value, 'is not a whole number');
  return Number(value);
}

/** An hourly price as exact decimal text: non-negative, plain digits (no exponent), trailing zeros trimmed. */
export function priceText(value: string, where: () => string): string {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new CatalogFileError(`${where()}: ${JSON.stringify(value)} is not a decimal price`);
  toScaled(value);
  return trimDecimal(value);
}

function readShipped(dir: string): Shipped {
  const shipped: Shipped = { types: new Map(), prices: new Map() };
  for (const provider of CATALOG_PROVIDERS) {
    const typesFile = path.join(dir, `${provider}-types.csv`);
    const specs: InstanceTypeSpec[] = [];
    const seen = new Set<string>();
    for (const { line, get } of readRows(typesFile, TYPE_COLUMNS)) {
      const type = get('type');
      if (!type) fail(typesFile, line, 'type', type, 'is empty');
      if (seen.has(type)) fail(typesFile, line, 'type', type, 'is listed twice');
      seen.add(type);
      const arch = get('arch');
      if (arch !== 'x86_64' && arch !== 'arm64') fail(typesFile, line, 'arch', arch, 'must be x86_64 or arm64');
      const current = get('current_generation');
      if (current !== 'true' && current !== 'false') fail(typesFile, line, 'current_generation', current, 'must be true or false');
      const gpuCount = int(typesFile, line, 'gpu_count', get('gpu_count'))!;
      const gpuModel = get('gpu_model') || null;
      const gpuMemoryMib = int(typesFile, line, 'gpu_memory_mib', get('gpu_memory_mib'), true);
      if (gpuCount > 0 !== (gpuModel !== null) || (gpuModel !== null) !== (gpuMemoryMib !== null)) {
        fail(typesFile, line, 'gpu_count', get('gpu_count'), 'must come with a gpu_model and gpu_memory_mib (and 0 with neither)');
      }
      // Frozen: one shared copy serves every caller of every loaded catalog.
      specs.push(
        Object.freeze({
          provider,
          type,
          vcpus: int(typesFile, line, 'vcpus', get('vcpus'))!,
          memoryMib: int(typesFile, line, 'memory_mib', get('memory_mib'))!,
          arch,
          family: get('family'),
          generation: int(typesFile, line, 'generation', get('generation'))!,
          currentGeneration: current === 'true',
          gpuCount,
          gpuModel,
          gpuMemoryMib,
          migProfiles: Object.freeze(get('mig_profiles') ? get('mig_profiles').split(' ') : []) as string[],
        }),
      );
    }
    shipped.types.set(provider, specs);

    const pricesFile = path.join(dir, `${provider}-prices.csv`);
    const byType = new Map<string, Map<string, CatalogPrice>>();
    for (const { line, get } of readRows(pricesFile, PRICE_COLUMNS)) {
      const type = get('type');
      const region = get('region');
      if (!type) fail(pricesFile, line, 'type', type, 'is empty');
      if (!region) fail(pricesFile, line, 'region', region, 'is empty');
      const currency = get('currency');
      if (!/^[A-Z]{3}$/.test(currency)) fail(pricesFile, line, 'currency', currency, 'is not an ISO 4217 code');
      const hourly = priceText(get('hourly'), () => `${pricesFile}, line ${line}, column hourly`);
      let regions = byType.get(type);
      if (!regions) {
        regions = new Map();
        byType.set(type, regions);
      }
      if (regions.has(region)) fail(pricesFile, line, 'region', region, `is priced twice for ${type}`);
      regions.set(region, { currency, hourly, source: get('source') });
    }
    shipped.prices.set(provider, byType);
  }
  return shipped;
}

/** The shipped files, parsed once per process (they do not change while it runs). */
export function shippedCatalog(dir = CATALOG_DIR): Shipped {
  let s = cache.get(dir);
  if (!s) {
    s = readShipped(dir);
    cache.set(dir, s);
  }
  return s;
}

function isCatalogProvider(p: string): p is CatalogProvider {
  return (CATALOG_PROVIDERS as readonly string[]).includes(p);
}

/**
 * The catalog: shipped data, with the refreshed prices of catalog_prices over it when `db` is
 * given (without it, the shipped data alone). Reads the table once; the result does not change.
 */
export async function loadCatalog(db?: pg.Pool | pg.PoolClient, options: { dir?: string } = {}): Promise<Catalog> {
  const shipped = shippedCatalog(options.dir);
  const refreshed = new Map<string, CatalogPrice>();
  if (db) {
    const { rows } = await db.query<{
      provider: string;
      instance_type: string;
      region_id: string;
      currency: string;
      hourly: string;
      source: string;
    }>('SELECT provider, instance_type, region_id, currency, hourly::text AS hourly, source FROM catalog_prices');
    for (const r of rows) {
      refreshed.set(`${r.provider}\u0000${r.instance_type}\u0000${r.region_id}`, {
        currency: r.currency,
        hourly: trimDecimal(r.hourly),
        source: r.source,
      });
    }
  }
  const specIndex = new Map<string, InstanceTypeSpec>();
  for (const [provider, specs] of shipped.types) for (const s of specs) specIndex.set(`${provider}\u0000${s.type}`, s);

  return {
    spec(provider: ResourceProvider, type: string): InstanceTypeSpec | null {
      return specIndex.get(`${provider}\u0000${type}`) ?? null;
    },
    price(provider: ResourceProvider, type: string, region: string): CatalogPrice | null {
      const fresh = refreshed.get(`${provider}\u0000${type}\u0000${region}`);
      if (fresh) return fresh;
      if (!isCatalogProvider(provider)) return null;
      return shipped.prices.get(provider)?.get(type)?.get(region) ?? null;
    },
    types(provider: ResourceProvider): readonly InstanceTypeSpec[] {
      return isCatalogProvider(provider) ? (shipped.types.get(provider) ?? []) : [];
    },
  };
}
