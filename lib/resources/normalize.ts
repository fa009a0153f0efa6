/**
 * One spelling of a resource's identity, so that a bill's ResourceId, an inventory API's id and a
 * metric's label meet in one resources row. Azure resource ids are case-insensitive and arrive in
 * mixed case (exports upper-case resource groups; ARM answers as created): they are case-folded.
 * AWS and GCP ids are case-sensitive and kept. Surrounding whitespace is dropped everywhere.
 */
export type ResourceProvider = 'aws' | 'azure' | 'gcp' | 'other';

export function normalizeResourceId(provider: ResourceProvider, id: string): string {
  const t = id.trim();
  return provider === 'azure' ? t.toLowerCase() : t;
}

/** Maps a bill's provider name (FOCUS ProviderName / provider_name) to the resource provider key. */
export function resourceProvider(providerName: string): ResourceProvider {
  const p = providerName.trim().toLowerCase();
  if (p === 'aws' || p.startsWith('amazon')) return 'aws';
  if (p === 'azure' || p.startsWith('microsoft')) return 'azure';
  if (p === 'gcp' || p.startsWith('google')) return 'gcp';
  return 'other';
}
