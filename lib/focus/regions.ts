/**
 * Static map of cloud region codes (as FOCUS RegionId carries them, folded by normalize.regionId)
 * to a readable name, the country (ISO 3166-1 alpha-2 code and name) and the continent, for AWS,
 * Azure and Google Cloud. Codes are unique across the three clouds, so one map serves all of them.
 * Unknown codes return null: the UI then shows the export's own RegionName.
 */

export type Continent = 'Africa' | 'Asia' | 'Europe' | 'North America' | 'Oceania' | 'South America' | 'Global';
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

const COUNTRIES: Record<string, string> = {
  AE: 'United Arab Emirates',
  AU: 'Australia',
  BE: 'Belgium',
  BH: 'Bahrain',
  BR: 'Brazil',
  CA: 'Canada',
  CH: 'Switzerland',
  CL: 'Chile',
  CN: 'China',
  DE: 'Germany',
  ES: 'Spain',
  FI: 'Finland',
  FR: 'France',
  GB: 'United Kingdom',
  HK: 'Hong Kong',
  ID: 'Indonesia',
  IE: 'Ireland',
  IL: 'Israel',
  IN: 'India',
  IT: 'Italy',
  JP: 'Japan',
  KR: 'South Korea',
  MX: 'Mexico',
  MY: 'Malaysia',
  NL: 'Netherlands',
  NO: 'Norway',
  NZ: 'New Zealand',
  PL: 'Poland',
  QA: 'Qatar',
  SA: 'Saudi Arabia',
  SE: 'Sweden',
  SG: 'Singapore',
  TH: 'Thailand',
  TW: 'Taiwan',
  US: 'United States',
  ZA: 'South Africa',
};

const CONTINENT_OF: Record<string, Continent> = {
  AE: 'Asia',
  AU: 'Oceania',
  BE: 'Europe',
  BH: 'Asia',
  BR: 'South America',
  CA: 'North America',
  CH: 'Europe',
  CL: 'South America',
  CN: 'Asia',
  DE: 'Europe',
  ES: 'Europe',
  FI: 'Europe',
  FR: 'Europe',
  GB: 'Europe',
  HK: 'Asia',
  ID: 'Asia',
  IE: 'Europe',
  IL: 'Asia',
  IN: 'Asia',
  IT: 'Europe',
  JP: 'Asia',
  KR: 'Asia',
  MX: 'North America',
  MY: 'Asia',
  NL: 'Europe',
  NO: 'Europe',
  NZ: 'Oceania',
  PL: 'Europe',
  QA: 'Asia',
  SA: 'Asia',
  SE: 'Europe',
  SG: 'Asia',
  TH: 'Asia',
  TW: 'Asia',
  US: 'North America',
  ZA: 'Africa',
};

// [code, name, country]
const AWS: [string, string, string][] = [
  ['us-east-1', 'US East (N. Virginia)', 'US'],
  ['us-east-2', 'US East (Ohio)', 'US'],
  ['us-west-1', 'US West (N. California)', 'US'],
  ['us-west-2', 'US West (Oregon)', 'US'],
  ['us-gov-east-1', 'AWS GovCloud (US-East)', 'US'],
  ['us-gov-west-1', 'AWS GovCloud (US-West)', 'US'],
  ['ca-central-1', 'Canada (Central)', 'CA'],
  ['ca-west-1', 'Canada West (Calgary)', 'CA'],
  ['mx-central-1', 'Mexico (Central)', 'MX'],
  ['sa-east-1', 'South America (São Paulo)', 'BR'],
  ['eu-west-1', 'Europe (Ireland)', 'IE'],
  ['eu-west-2', 'Europe (London)', 'GB'],
  ['eu-west-3', 'Europe (Paris)', 'FR'],
  ['eu-central-1', 'Europe (Frankfurt)', 'DE'],
  ['eu-central-2', 'Europe (Zurich)', 'CH'],
  ['eu-north-1', 'Europe (Stockholm)', 'SE'],
  ['eu-south-1', 'Europe (Milan)', 'IT'],
  ['eu-south-2', 'Europe (Spain)', 'ES'],
  ['af-south-1', 'Africa (Cape Town)', 'ZA'],
  ['me-south-1', 'Middle East (Bahrain)', 'BH'],
  ['me-central-1', 'Middle East (UAE)', 'AE'],
  ['il-central-1', 'Israel (Tel Aviv)', 'IL'],
  ['ap-east-1', 'Asia Pacific (Hong Kong)', 'HK'],
  ['ap-south-1', 'Asia Pacific (Mumbai)', 'IN'],
  ['ap-south-2', 'Asia Pacific (Hyderabad)', 'IN'],
  ['ap-northeast-1', 'Asia Pacific (Tokyo)', 'JP'],
  ['ap-northeast-2', 'Asia Pacific (Seoul)', 'KR'],
  ['ap-northeast-3', 'Asia Pacific (Osaka)', 'JP'],
  ['ap-southeast-1', 'Asia Pacific (Singapore)', 'SG'],
  ['ap-southeast-2', 'Asia Pacific (Sydney)', 'AU'],
  ['ap-southeast-3', 'Asia Pacific (Jakarta)', 'ID'],
  ['ap-southeast-4', 'Asia Pacific (Melbourne)', 'AU'],
  ['ap-southeast-5', 'Asia Pacific (Malaysia)', 'MY'],
  ['ap-southeast-7', 'Asia Pacific (Thailand)', 'TH'],
  ['cn-north-1', 'China (Beijing)', 'CN'],
  ['cn-northwest-1', 'China (Ningxia)', 'CN'],
];

const AZURE: [string, string, string][] = [
  ['eastus', 'East US (Virginia)', 'US'],
  ['eastus2', 'East US 2 (Virginia)', 'US'],
  ['centralus', 'Central US (Iowa)', 'US'],
  ['northcentralus', 'North Central US (Illinois)', 'US'],
  ['southcentralus', 'South Central US (Texas)', 'US'],
  ['westcentralus', 'West Central US (Wyoming)', 'US'],
  ['westus', 'West US (California)', 'US'],
  ['westus2', 'West US 2 (Washington)', 'US'],
  ['westus3', 'West US 3 (Arizona)', 'US'],
  ['canadacentral', 'Canada Central (Toronto)', 'CA'],
  ['canadaeast', 'Canada East (Québec)', 'CA'],
  ['mexicocentral', 'Mexico Central (Querétaro)', 'MX'],
  ['brazilsouth', 'Brazil South (São Paulo)', 'BR'],
  ['northeurope', 'North Europe (Ireland)', 'IE'],
  ['westeurope', 'West Europe (Netherlands)', 'NL'],
  ['uksouth', 'UK South (London)', 'GB'],
  ['ukwest', 'UK West (Cardiff)', 'GB'],
  ['francecentral', 'France Central (Paris)', 'FR'],
  ['germanywestcentral', 'Germany West Central (Frankfurt)', 'DE'],
  ['switzerlandnorth', 'Switzerland North (Zurich)', 'CH'],
  ['norwayeast', 'Norway East (Oslo)', 'NO'],
  ['swedencentral', 'Sweden Central (Gävle)', 'SE'],
  ['polandcentral', 'Poland Central (Warsaw)', 'PL'],
  ['italynorth', 'Italy North (Milan)', 'IT'],
  ['spaincentral', 'Spain Central (Madrid)', 'ES'],
  ['eastasia', 'East Asia (Hong Kong)', 'HK'],
  ['southeastasia', 'Southeast Asia (Singapore)', 'SG'],
  ['japaneast', 'Japan East (Tokyo)', 'JP'],
  ['japanwest', 'Japan West (Osaka)', 'JP'],
  ['koreacentral', 'Korea Central (Seoul)', 'KR'],
  ['koreasouth', 'Korea South (Busan)', 'KR'],
  ['centralindia', 'Central India (Pune)', 'IN'],
  ['southindia', 'South India (Chennai)', 'IN'],
  ['westindia', 'West India (Mumbai)', 'IN'],
  ['australiaeast', 'Australia East (New South Wales)', 'AU'],
  ['australiasoutheast', 'Australia Southeast (Victoria)', 'AU'],
  ['australiacentral', 'Australia Central (Canberra)', 'AU'],
  ['newzealandnorth', 'New Zealand North (Auckland)', 'NZ'],
  ['southafricanorth', 'South Africa North (Johannesburg)', 'ZA'],
  ['uaenorth', 'UAE North (Dubai)', 'AE'],
  ['qatarcentral', 'Qatar Central (Doha)', 'QA'],
  ['israelcentral', 'Israel Central', 'IL'],
];

const GCP: [string, string, string][] = [
  ['us-central1', 'Iowa', 'US'],
  ['us-east1', 'South Carolina', 'US'],
  ['us-east4', 'Northern Virginia', 'US'],
  ['us-east5', 'Columbus', 'US'],
  ['us-south1', 'Dallas', 'US'],
  ['us-west1', 'Oregon', 'US'],
  ['us-west2', 'Los Angeles', 'US'],
  ['us-west3', 'Salt Lake City', 'US'],
  ['us-west4', 'Las Vegas', 'US'],
  ['northamerica-northeast1', 'Montréal', 'CA'],
  ['northamerica-northeast2', 'Toronto', 'CA'],
  ['northamerica-south1', 'Querétaro', 'MX'],
  ['southamerica-east1', 'São Paulo', 'BR'],
  ['southamerica-west1', 'Santiago', 'CL'],
  ['europe-west1', 'Belgium', 'BE'],
  ['europe-west2', 'London', 'GB'],
  ['europe-west3', 'Frankfurt', 'DE'],
  ['europe-west4', 'Netherlands', 'NL'],
  ['europe-west6', 'Zurich', 'CH'],
  ['europe-west8', 'Milan', 'IT'],
  ['europe-west9', 'Paris', 'FR'],
  ['europe-west10', 'Berlin', 'DE'],
  ['europe-west12', 'Turin', 'IT'],
  ['europe-north1', 'Finland', 'FI'],
  ['europe-north2', 'Stockholm', 'SE'],
  ['europe-central2', 'Warsaw', 'PL'],
  ['europe-southwest1', 'Madrid', 'ES'],
  ['me-west1', 'Tel Aviv', 'IL'],
  ['me-central1', 'Doha', 'QA'],
  ['me-central2', 'Dammam', 'SA'],
  ['africa-south1', 'Johannesburg', 'ZA'],
  ['asia-east1', 'Taiwan', 'TW'],
  ['asia-east2', 'Hong Kong', 'HK'],
  ['asia-northeast1', 'Tokyo', 'JP'],
  ['asia-northeast2', 'Osaka', 'JP'],
  ['asia-northeast3', 'Seoul', 'KR'],
  ['asia-south1', 'Mumbai', 'IN'],
  ['asia-south2', 'Delhi', 'IN'],
  ['asia-southeast1', 'Singapore', 'SG'],
  ['asia-southeast2', 'Jakarta', 'ID'],
  ['australia-southeast1', 'Sydney', 'AU'],
  ['australia-southeast2', 'Melbourne', 'AU'],
  ['us', 'United States (multi-region)', 'US'],
];

function build(): Map<string, RegionInfo> {
  const map = new Map<string, RegionInfo>();
  const add = (provider: CloudProvider, rows: [string, string, string][]) => {
    for (const [id, name, code] of rows) {
      if (map.has(id)) throw new Error(`region ${id} listed twice`);
      map.set(id, { id, name, country: { code, name: COUNTRIES[code] }, continent: CONTINENT_OF[code], provider });
    }
  };
  add('aws', AWS);
  add('azure', AZURE);
  add('gcp', GCP);
  map.set('global', { id: 'global', name: 'Global', country: null, continent: 'Global', provider: null });
  map.set('eu', { id: 'eu', name: 'European Union (multi-region)', country: null, continent: 'Europe', provider: 'gcp' });
  map.set('asia', { id: 'asia', name: 'Asia (multi-region)', country: null, continent: 'Asia', provider: 'gcp' });
  return map;
}

export const REGIONS: ReadonlyMap<string, RegionInfo> = build();

/**
 * The region behind a RegionId, folded the way normalize.regionId folds it ('East US' and
 * 'EastUS' find 'eastus'). Null for unknown codes and for the empty id.
 */
export function lookupRegion(regionId: string | null | undefined): RegionInfo | null {
  if (!regionId) return null;
  return REGIONS.get(regionId.toLowerCase().replace(/\s+/g, '')) ?? null;
}
