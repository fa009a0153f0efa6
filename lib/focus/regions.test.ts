import { describe, expect, it } from 'vitest';
import { geographyOf, lookupRegion, REGIONS, regionForSpelling, regionIdsIn, regionIdsInCountry } from './regions';

const REQUIRED = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-central-1',
  'eu-north-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-south-1',
  'eastus',
  'eastus2',
  'westus2',
  'westeurope',
  'northeurope',
  'germanywestcentral',
  'uksouth',
  'japaneast',
  'koreacentral',
  'southeastasia',
  'australiaeast',
  'centralindia',
  'brazilsouth',
  'us-central1',
  'us-east1',
  'us-west1',
  'europe-west1',
  'europe-west3',
  'europe-west4',
  'asia-northeast1',
  'asia-northeast3',
  'asia-southeast1',
  'asia-south1',
  'australia-southeast1',
  'southamerica-east1',
  'global',
];

describe('region map', () => {
  it('covers the common AWS, Azure and GCP regions', () => {
    for (const id of REQUIRED) expect(REGIONS.has(id), id).toBe(true);
  });

  it('gives every region a country with a name (except multi-country locations) and a continent', () => {
    for (const r of REGIONS.values()) {
      expect(r.continent, r.id).toBeTruthy();
      if (r.country) expect(r.country.name, r.id).toBeTruthy();
    }
  });

  it('maps codes to readable names and countries', () => {
    expect(lookupRegion('eu-central-1')).toMatchObject({
      name: 'Europe (Frankfurt)',
      country: { code: 'DE', name: 'Germany' },
      continent: 'Europe',
    });
    expect(lookupRegion('westeurope')?.country?.code).toBe('NL');
    expect(lookupRegion('asia-northeast3')).toMatchObject({ name: 'Seoul', country: { code: 'KR' }, continent: 'Asia' });
    expect(lookupRegion('australia-southeast1')?.continent).toBe('Oceania');
    expect(lookupRegion('global')).toMatchObject({ name: 'Global', country: null });
  });

  it('folds Azure display spellings and returns null for unknown or empty ids', () => {
    expect(lookupRegion('East US 2')?.id).toBe('eastus2');
    expect(lookupRegion('EastUS')?.id).toBe('eastus');
    expect(lookupRegion('mars-north-1')).toBeNull();
    expect(lookupRegion('')).toBeNull();
  });

  it('finds the legacy spellings providers write, and only those', () => {
    expect(regionForSpelling('US East')?.id).toBe('eastus');
    expect(regionForSpelling('eu_west')?.id).toBe('westeurope');
    expect(regionForSpelling('usnorth')?.name).toBe('North Central US (Illinois)');
    expect(regionForSpelling('eastus')).toBeNull();
    expect(regionForSpelling('')).toBeNull();
  });

  it('gives Azure regions the display name the overview shows, with the location where the table knows it', () => {
    expect(lookupRegion('eastus')).toMatchObject({ name: 'East US (Virginia)', country: { code: 'US' }, provider: 'azure' });
    expect(lookupRegion('austriaeast')).toMatchObject({ name: 'Austria East (Vienna)', country: { code: 'AT', name: 'Austria' } });
    expect(lookupRegion('usgovtexas')).toMatchObject({ name: 'USGov Texas', continent: 'North America' });
  });
});

describe('geographyOf', () => {
  it('puts every cloud region in one of the five geographies (Global only for provider-neutral charges)', () => {
    expect(geographyOf(lookupRegion('us-east-1'))).toBe('Americas');
    expect(geographyOf(lookupRegion('sa-east-1'))).toBe('Americas');
    expect(geographyOf(lookupRegion('westeurope'))).toBe('Europe');
    expect(geographyOf(lookupRegion('ap-northeast-2'))).toBe('Asia Pacific');
    expect(geographyOf(lookupRegion('australia-southeast1'))).toBe('Asia Pacific');
    expect(geographyOf(lookupRegion('me-central-1'))).toBe('Middle East');
    expect(geographyOf(lookupRegion('il-central-1'))).toBe('Middle East');
    expect(geographyOf(lookupRegion('af-south-1'))).toBe('Africa');
    expect(geographyOf(lookupRegion('global'))).toBe('Global');
    expect(geographyOf(lookupRegion('nowhere-9'))).toBeNull();
    for (const r of REGIONS.values()) expect(geographyOf(r), r.id).not.toBeNull();
    expect(regionIdsIn('Middle East')).toEqual(expect.arrayContaining(['me-central-1', 'uaenorth']));
    expect(regionIdsInCountry('KR')).toEqual(expect.arrayContaining(['ap-northeast-2', 'koreacentral', 'asia-northeast3']));
  });
});
