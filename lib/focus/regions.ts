/**
 * Lookups in the region table (regions-data.ts): cloud region codes (as FOCUS RegionId carries
 * them, folded by normalize.regionId) to a display name, the country (ISO 3166-1 alpha-2 code and
 * name) and the continent, for AWS, Azure and Google Cloud. Codes are unique across the three
 * clouds, so one map serves all of them. Unknown codes return null: the UI then shows the export's
 * own RegionName.
 */
import {
  AWS_REGIONS,
  AZURE_REGIONS,
  CONTINENT_OF,
  COUNTRIES,
  type Continent,
  GCP_REGIONS,
  MULTI_COUNTRY_REGIONS,
  type RegionRow,
} from './regions-data';

export type { Continent };
export type CloudProvider = 'aws' | 'azure' | 'gcp';

export interface Country {
  /** ISO 3166-1 alpha-2 */
  code: string;
  name: string;
}

export interface RegionInfo {
  id: string;
  name: string;
  /** Null for multi-country locations ('global', GCP's 'eu' multi-region). */
  country: Country | null;
  continent: Continent;
  /** Null for the provider-neutral 'global'. */
  provider: CloudProvider | null;
}

function build(): { regions: Map<string, RegionInfo>; aliases: Map<string, string> } {
  const regions = new Map<string, RegionInfo>();
  const aliases = new Map<string, string>();
  const add = (provider: CloudProvider, rows: readonly RegionRow[]) => {
    for (const [id, name, code, ...spellings] of rows) {
      if (regions.has(id)) throw new Error(`region ${id} listed twice`);
      const country = COUNTRIES[code];
      const continent = CONTINENT_OF[code];
      if (!country || !continent) throw new Error(`region ${id}: country ${code} has no name or continent`);
      regions.set(id, { id, name, country: { code, name: country }, continent, provider });
      for (const s of spellings) aliases.set(foldRegion(s), id);
    }
  };
  add('aws', AWS_REGIONS);
  add('azure', AZURE_REGIONS);
  add('gcp', GCP_REGIONS);
  for (const [id, name, continent, provider] of MULTI_COUNTRY_REGIONS) regions.set(id, { id, name, country: null, continent, provider });
  for (const [alias, id] of aliases) if (regions.has(alias)) throw new Error(`spelling ${alias} of ${id} is itself a region id`);
  return { regions, aliases };
}

/** Lower case, without spaces or underscores: 'East US', 'EastUS' and 'east_us' are all 'eastus'. */
function foldRegion(value: string): string {
  return value.toLowerCase().replace(/[\s_]+/g, '');
}

const TABLE = build();

export const REGIONS: ReadonlyMap<string, RegionInfo> = TABLE.regions;

/**
 * The region behind a RegionId, folded the way normalize.regionId folds it ('East US' and
 * 'EastUS' find 'eastus'). Null for unknown codes and for the empty id.
 */
export function lookupRegion(regionId: string | null | undefined): RegionInfo | null {
  if (!regionId) return null;
  return REGIONS.get(regionId.toLowerCase().replace(/\s+/g, '')) ?? null;
}

/**
 * The region a provider's other spelling of it stands for ('US East', 'EU West', 'usnorth': Azure's
 * legacy names), folded like foldRegion; null when the value is not such a spelling.
 */
export function regionForSpelling(value: string | null | undefined): RegionInfo | null {
  if (!value) return null;
  const id = TABLE.aliases.get(foldRegion(value));
  return id === undefined ? null : (REGIONS.get(id) ?? null);
}

/**
 * The geographies a global team reads spend by (the grouping cloud consoles use): the Americas,
 * Europe, Asia Pacific (Asia and Oceania), the Middle East (the Gulf states and Israel, which the
 * continent table files under Asia) and Africa; 'Global' for provider-neutral charges.
 */
export const GEOGRAPHIES = ['Americas', 'Europe', 'Asia Pacific', 'Middle East', 'Africa', 'Global'] as const;
export type Geography = (typeof GEOGRAPHIES)[number];

const MIDDLE_EAST = new Set(['AE', 'BH', 'IL', 'JO', 'KW', 'OM', 'QA', 'SA']);

/** The geography of a region, or null for an unknown code. */
export function geographyOf(region: RegionInfo | null): Geography | null {
  if (!region) return null;
  if (region.country && MIDDLE_EAST.has(region.country.code)) return 'Middle East';
  switch (region.continent) {
    case 'North America':
    case 'South America':
      return 'Americas';
    case 'Asia':
    case 'Oceania':
      return 'Asia Pacific';
    case 'Europe':
      return 'Europe';
    case 'Africa':
      return 'Africa';
    case 'Global':
      return 'Global';
  }
}

/** Every known region id in one geography (for filters that run in SQL on region ids). */
export function regionIdsIn(geography: Geography): string[] {
  return [...REGIONS.values()].filter((r) => geographyOf(r) === geography).map((r) => r.id);
}

/** Every known region id in one country (ISO 3166-1 alpha-2). */
export function regionIdsInCountry(code: string): string[] {
  return [...REGIONS.values()].filter((r) => r.country?.code === code).map((r) => r.id);
}
