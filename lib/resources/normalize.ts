/**
 * One spelling of a resource's identity, so that a bill's ResourceId, an inventory API's id and a
 * metric's label meet in one resources row. Azure resource ids are case-insensitive and arrive in
 * mixed case (exports upper-case resource groups; ARM answers as created): they are case-folded.
 * AWS and GCP ids are case-sensitive and kept. Surrounding whitespace is dropped everywhere.
 */
export type ResourceProvider = 'aws' | 'azure' | 'gcp' | 'other';

export function normalizeResourceId(provider: ResourceProvider, id: string): string {
  const t = id.trim();
  if (provider === 'azure') return t.toLowerCase();
  // AWS FOCUS exports name EC2 resources by ARN, the CUR and the EC2 API by id: one row for both.
  if (provider === 'aws') return t.replace(EC2_ARN_PREFIX, '');
  return t;
}

/** `arn:aws:ec2:us-east-1:123456789012:instance/` before an instance, volume, snapshot or elastic-ip id. */
const EC2_ARN_PREFIX = /^arn:aws[a-z-]*:ec2:[^:]*:[0-9]*:[a-z-]+\//;

/**
 * The same two mappings in SQL, for joining cost_line_items to resources without reading the bill
 * into the process: `column` names a provider_name / resource_id column of the query (never input).
 */
export function resourceProviderSql(column: string): string {
  return `(CASE WHEN lower(btrim(${column})) = 'aws' OR lower(btrim(${column})) LIKE 'amazon%' THEN 'aws'
    WHEN lower(btrim(${column})) = 'azure' OR lower(btrim(${column})) LIKE 'microsoft%' THEN 'azure'
    WHEN lower(btrim(${column})) = 'gcp' OR lower(btrim(${column})) LIKE 'google%' THEN 'gcp' ELSE 'other' END)`;
}

export function normalizeResourceIdSql(providerSql: string, column: string): string {
  return `(CASE ${providerSql} WHEN 'azure' THEN lower(btrim(${column}))
    WHEN 'aws' THEN regexp_replace(btrim(${column}), '^arn:aws[a-z-]*:ec2:[^:]*:[0-9]*:[a-z-]+/', '')
    ELSE btrim(${column}) END)`;
}

/** Maps a bill's provider name (FOCUS ProviderName / provider_name) to the resource provider key. */
export function resourceProvider(providerName: string): ResourceProvider {
  const p = providerName.trim().toLowerCase();
  if (p === 'aws' || p.startsWith('amazon')) return 'aws';
  if (p === 'azure' || p.startsWith('microsoft')) return 'azure';
  if (p === 'gcp' || p.startsWith('google')) return 'gcp';
  return 'other';
}
