/**
 * What the sources page shows of each connector kind: its label, provider and description. No SDK
 * here: listing sources needs only these, and lib/connectors/registry.ts (which builds connectors,
 * and so imports every cloud SDK) takes them from this table.
 */

export type SourceProvider = 'aws' | 'azure' | 'gcp';

export const PROVIDER_LABELS: Record<SourceProvider, string> = { aws: 'AWS', azure: 'Azure', gcp: 'Google Cloud' };

export interface ConnectorKindInfo {
  label: string;
  provider: SourceProvider;
  description: string;
}

export const CONNECTOR_KIND_INFO = {
  aws_s3: {
    label: 'AWS S3 (CUR / Data Exports)',
    provider: 'aws',
    description:
      'Cost and Usage Reports (legacy CUR, CUR 2.0) or FOCUS exports that AWS delivers to an S3 bucket. Needs s3:ListBucket and s3:GetObject.',
  },
  azure_blob: {
    label: 'Azure Blob Storage (Cost Management exports)',
    provider: 'azure',
    description:
      'Actual, amortized or FOCUS cost exports that Azure Cost Management writes to a storage container. Needs Read and List on the container.',
  },
  aws_cost_explorer: {
    label: 'AWS Cost Explorer API',
    provider: 'aws',
    description:
      'Daily cost by service and region from the Cost Explorer API, for accounts without an export yet (coarser than a CUR; superseded month by month once an export of the same payer covers it). Needs ce:GetCostAndUsage; each request is billed by AWS.',
  },
  gcp_bigquery: {
    label: 'Google Cloud BigQuery billing export',
    provider: 'gcp',
    description:
      'The standard or detailed billing export table in BigQuery, read one invoice month at a time. Needs roles/bigquery.dataViewer on the dataset and roles/bigquery.jobUser on the query project.',
  },
} satisfies Record<string, ConnectorKindInfo>;

export type ConnectorKindId = keyof typeof CONNECTOR_KIND_INFO;

/** The label, provider and description of a stored kind; null for `file` sources and kinds this build does not know. */
export function connectorKindInfo(kind: string): ConnectorKindInfo | null {
  return Object.hasOwn(CONNECTOR_KIND_INFO, kind) ? CONNECTOR_KIND_INFO[kind as ConnectorKindId] : null;
}
