/**
 * The connector kinds a billing source can have: what each needs (config and secret schemas, the
 * form fields generated from them) and how to build its Connector. `file` sources (the ingest CLI,
 * the demo data) have no entry here: nothing can sync them.
 *
 * Adding a kind = its label, provider and description in CONNECTOR_KIND_INFO (kinds.ts) and one
 * `defineConnectorKind({...})` entry in CONNECTOR_KINDS. The sources page, the save action and the
 * sync job read everything from these; nothing else needs to change.
 */
import { z } from 'zod';
import { decryptSecret } from '../secrets';
import { AwsCostExplorerCredentials, AwsCostExplorerSourceConfig, createAwsCostExplorerConnector } from './aws-cost-explorer';
import { AwsS3Credentials, AwsS3SourceConfig, createAwsS3Connector } from './aws-s3';
import { AzureBlobSecret, AzureBlobSourceConfig, createAzureBlobConnector } from './azure-blob';
import { assertEndpointAllowed } from './endpoint-guard';
import { createGcpBigQueryConnector, GcpBigQuerySourceConfig, GcpServiceAccountCredentials } from './gcp-bigquery';
import { CONNECTOR_KIND_INFO, type ConnectorKindId, type ConnectorKindInfo, type SourceProvider } from './kinds';
import { type Connector, ConnectorError } from './types';

/**
 * One input of the add/edit form. Serializable (it is sent to the browser): the form is generated
 * from these, and the save action turns the submitted strings back into the schema's input with
 * them. `name` is the key inside the kind's config or secret object.
 */
export interface SourceFormField {
  name: string;
  label: string;
  input: 'text' | 'url' | 'password' | 'textarea' | 'select' | 'checkbox';
  options?: readonly { value: string; label: string }[];
  placeholder?: string;
  help?: string;
  /** An empty value is sent to the schema as '' (so its own message explains the rule) instead of being left out. */
  required?: boolean;
  /** Folded under "Advanced" (endpoints for S3-compatible servers and the like). */
  advanced?: boolean;
  /** Shown, and submitted, only while another field of the same group has this value. */
  when?: { field: string; equals: string };
}

/** A connector kind with its types erased, as the registry stores it; create() validates its inputs. */
export interface ConnectorKind {
  kind: string;
  label: string;
  provider: SourceProvider;
  description: string;
  configSchema: z.ZodType;
  secretSchema?: z.ZodType;
  /** false: without a typed secret the SDK's default credential chain (environment, profile, role) is used. */
  secretRequired: boolean;
  configFields: readonly SourceFormField[];
  secretFields: readonly SourceFormField[];
  /** Says what the stored secret is, e.g. "access key" — shown instead of the secret itself. */
  secretLabel: string;
  /**
   * The config fields that decide where the credentials are sent (host, endpoint, the bucket whose
   * owner sees the requests). Stored credentials are used only with the values they were saved
   * with: changing one of these needs the credentials typed again (`changedCredentialBindings`).
   */
  credentialBoundFields: readonly string[];
  create(config: unknown, secret?: unknown): Connector;
}

interface ConnectorKindDefinition<C extends z.ZodType, S extends z.ZodType> {
  configSchema: C;
  secretSchema?: S;
  secretRequired: boolean;
  configFields: readonly SourceFormField[];
  secretFields?: readonly SourceFormField[];
  secretLabel?: string;
  credentialBoundFields: readonly (keyof z.output<C> & string)[];
  create(config: z.output<C>, secret?: z.output<S>): Connector;
}

function defineConnectorKind<K extends ConnectorKindId, C extends z.ZodType, S extends z.ZodType>(
  kind: K,
  def: ConnectorKindDefinition<C, S>,
): ConnectorKind & { kind: K } {
  const info: ConnectorKindInfo = CONNECTOR_KIND_INFO[kind];
  return {
    kind,
    label: info.label,
    provider: info.provider,
    description: info.description,
    configSchema: def.configSchema,
    secretSchema: def.secretSchema,
    secretRequired: def.secretRequired,
    configFields: def.configFields,
    secretFields: def.secretFields ?? [],
    secretLabel: def.secretLabel ?? 'credentials',
    credentialBoundFields: def.credentialBoundFields,
    create(config, secret) {
      const cfg = def.configSchema.safeParse(config);
      if (!cfg.success)
        throw new ConnectorError(`${info.label}: the stored configuration is invalid (${describeIssues(cfg.error)})`, 'CONFIG');
      const endpoints = customEndpoints(def.credentialBoundFields, cfg.data as Record<string, unknown>);
      if (secret === undefined || def.secretSchema === undefined) return guardEndpoints(def.create(cfg.data), endpoints);
      const sec = def.secretSchema.safeParse(secret);
      // Paths and rules only: zod does not quote the (secret) values.
      if (!sec.success)
        throw new ConnectorError(`${info.label}: the stored credentials are invalid (${describeIssues(sec.error)})`, 'CONFIG');
      return guardEndpoints(def.create(cfg.data, sec.data), endpoints);
    },
  };
}

/** The custom endpoints a config sends requests to: the URL values of its credential-bound fields. */
export function customEndpoints(fields: readonly string[], config: Record<string, unknown>): string[] {
  return fields.map((f) => config[f]).filter((v): v is string => typeof v === 'string' && /^https?:\/\//i.test(v));
}

/**
 * Every operation first checks the custom endpoints (endpoint-guard.ts: no link-local or cloud
 * metadata address, by name or by any address the name resolves to), for "Test connection" and
 * syncs alike.
 */
function guardEndpoints(connector: Connector, endpoints: readonly string[]): Connector {
  if (endpoints.length === 0) return connector;
  const check = async () => {
    for (const endpoint of endpoints) await assertEndpointAllowed(endpoint);
  };
  return {
    discover: async (signal) => {
      await check();
      return connector.discover(signal);
    },
    download: async (ref, dir, signal) => {
      await check();
      return connector.download(ref, dir, signal);
    },
    testConnection: async (signal) => {
      await check();
      return connector.testConnection(signal);
    },
  };
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

export const CONNECTOR_KINDS = {
  aws_s3: defineConnectorKind('aws_s3', {
    configSchema: AwsS3SourceConfig,
    secretSchema: AwsS3Credentials,
    secretRequired: false,
    secretLabel: 'access key',
    // The endpoint and region make the host; the bucket is in the host (virtual-hosted style) and
    // its owner can log the access key id; path style moves the bucket between host and path.
    credentialBoundFields: ['endpoint', 'region', 'bucket', 'forcePathStyle'],
    configFields: [
      { name: 'bucket', label: 'Bucket', input: 'text', required: true, placeholder: 'my-billing-exports' },
      {
        name: 'prefix',
        label: 'Prefix',
        input: 'text',
        placeholder: 'cur/',
        help: 'The S3 path prefix set on the report or export, or the folder of one report below it.',
      },
      { name: 'region', label: 'Region', input: 'text', required: true, placeholder: 'us-east-1' },
      {
        name: 'exportType',
        label: 'Export type',
        input: 'select',
        required: true,
        options: [
          { value: 'cur2', label: 'CUR 2.0 (Data Exports)' },
          { value: 'focus', label: 'FOCUS 1.0 (Data Exports)' },
          { value: 'cur-legacy', label: 'Legacy Cost and Usage Report' },
        ],
      },
      {
        name: 'endpoint',
        label: 'Endpoint URL',
        input: 'url',
        advanced: true,
        placeholder: 'https://s3.example.internal',
        help: 'Only for S3-compatible servers; leave empty for AWS.',
      },
      { name: 'forcePathStyle', label: 'Path-style addressing', input: 'checkbox', advanced: true },
    ],
    secretFields: [
      { name: 'accessKeyId', label: 'Access key ID', input: 'text', placeholder: 'AKIA…' },
      { name: 'secretAccessKey', label: 'Secret access key', input: 'password' },
      { name: 'sessionToken', label: 'Session token', input: 'password', help: 'Only for temporary credentials.' },
    ],
    create: (config, secret) => createAwsS3Connector(config, secret),
  }),
  azure_blob: defineConnectorKind('azure_blob', {
    configSchema: AzureBlobSourceConfig,
    secretSchema: AzureBlobSecret,
    secretRequired: true,
    secretLabel: 'storage credential',
    // The account URL is the host (or the emulator's address); a container or directory of the
    // same account is reached at the same place with the same account's credential.
    credentialBoundFields: ['accountUrl'],
    configFields: [
      {
        name: 'accountUrl',
        label: 'Storage account URL',
        input: 'url',
        required: true,
        placeholder: 'https://myaccount.blob.core.windows.net',
      },
      { name: 'container', label: 'Container', input: 'text', required: true, placeholder: 'cost-exports' },
      {
        name: 'directory',
        label: 'Directory',
        input: 'text',
        placeholder: 'exports/monthly',
        help: "The export's storage directory; empty for the whole container.",
      },
    ],
    secretFields: [
      {
        name: 'kind',
        label: 'Credential type',
        input: 'select',
        required: true,
        options: [
          { value: 'sasToken', label: 'SAS token' },
          { value: 'accountKey', label: 'Storage account key' },
          { value: 'connectionString', label: 'Connection string' },
        ],
      },
      {
        name: 'sasToken',
        label: 'SAS token',
        input: 'password',
        required: true,
        when: { field: 'kind', equals: 'sasToken' },
        help: 'A container or account SAS with Read and List.',
      },
      { name: 'accountKey', label: 'Account key', input: 'password', required: true, when: { field: 'kind', equals: 'accountKey' } },
      {
        name: 'accountName',
        label: 'Account name',
        input: 'text',
        when: { field: 'kind', equals: 'accountKey' },
        help: 'Defaults to the account in the URL.',
      },
      {
        name: 'connectionString',
        label: 'Connection string',
        input: 'password',
        required: true,
        when: { field: 'kind', equals: 'connectionString' },
      },
    ],
    create: (config, secret) => createAzureBlobConnector(config, secret),
  }),
  aws_cost_explorer: defineConnectorKind('aws_cost_explorer', {
    configSchema: AwsCostExplorerSourceConfig,
    secretSchema: AwsCostExplorerCredentials,
    secretRequired: false,
    secretLabel: 'access key',
    credentialBoundFields: ['endpoint', 'region'],
    configFields: [
      { name: 'region', label: 'API region', input: 'text', placeholder: 'us-east-1', help: 'us-east-1 for the aws partition.' },
      {
        name: 'billingAccountId',
        label: 'Payer account ID',
        input: 'text',
        placeholder: '123456789012',
        help: 'The management (payer) account: lets an export of the same account supersede these rows.',
      },
      { name: 'endpoint', label: 'Endpoint URL', input: 'url', advanced: true, help: 'Only for testing; leave empty for AWS.' },
    ],
    secretFields: [
      { name: 'accessKeyId', label: 'Access key ID', input: 'text', placeholder: 'AKIA…' },
      { name: 'secretAccessKey', label: 'Secret access key', input: 'password' },
      { name: 'sessionToken', label: 'Session token', input: 'password', help: 'Only for temporary credentials.' },
    ],
    create: (config, secret) => createAwsCostExplorerConnector(config, secret),
  }),
  gcp_bigquery: defineConnectorKind('gcp_bigquery', {
    configSchema: GcpBigQuerySourceConfig,
    secretSchema: GcpServiceAccountCredentials,
    secretRequired: false,
    secretLabel: 'service account key',
    // Projects and locations are addressed at the same Google endpoint; only a custom endpoint moves
    // the token elsewhere (the key's own token URI is not kept by GcpServiceAccountKey).
    credentialBoundFields: ['apiEndpoint'],
    configFields: [
      { name: 'projectId', label: 'Project ID', input: 'text', required: true, placeholder: 'my-billing-project' },
      { name: 'dataset', label: 'Dataset', input: 'text', required: true, placeholder: 'billing_export' },
      { name: 'table', label: 'Table', input: 'text', required: true, placeholder: 'gcp_billing_export_v1_XXXXXX_XXXXXX_XXXXXX' },
      {
        name: 'queryProjectId',
        label: 'Query project ID',
        input: 'text',
        advanced: true,
        help: 'Where query jobs run, if not the dataset’s project.',
      },
      { name: 'location', label: 'Dataset location', input: 'text', advanced: true, placeholder: 'US' },
    ],
    secretFields: [
      {
        name: 'serviceAccountKey',
        label: 'Service account key (JSON)',
        input: 'textarea',
        help: 'Leave empty to use the application default credentials of the machine.',
      },
    ],
    create: (config, secret) => createGcpBigQueryConnector(config, secret),
  }),
} satisfies Record<ConnectorKindId, ConnectorKind>;

export const CONNECTOR_KIND_IDS = Object.keys(CONNECTOR_KINDS) as ConnectorKindId[];
export const ConnectorKindIdSchema = z.enum(CONNECTOR_KIND_IDS as [ConnectorKindId, ...ConnectorKindId[]], {
  error: `must be one of: ${CONNECTOR_KIND_IDS.join(', ')}`,
});

/** The registry entry of a stored kind, or null for `file` sources and kinds this build does not know. */
export function connectorKind(kind: string): ConnectorKind | null {
  return Object.hasOwn(CONNECTOR_KINDS, kind) ? CONNECTOR_KINDS[kind as ConnectorKindId] : null;
}

/** A stored billing source, as far as building its connector goes. */
export interface StoredSource {
  name: string;
  kind: string;
  config: unknown;
  secretCiphertext: string | null;
}

/**
 * The connector of a stored source: its kind's create() with the stored config and the decrypted
 * secret (none: the kind's default credentials). Every failure is a ConnectorError('CONFIG') whose
 * message says what to fix (a `file` source, a missing BURNRATE_SECRET_KEY, a config the kind no
 * longer accepts); none quotes the secret.
 */
export function connectorForSource(source: StoredSource): Connector {
  const kind = connectorKind(source.kind);
  if (!kind) {
    throw new ConnectorError(
      source.kind === 'file'
        ? `${source.name} is a file source (loaded with npm run ingest); it has no connector to sync`
        : `${source.name} has kind "${source.kind}", which this version of Burnrate has no connector for`,
      'CONFIG',
    );
  }
  return kind.create(source.config, readStoredSecret(source.name, source.secretCiphertext));
}

/**
 * A source's stored credentials, decrypted and parsed (undefined: none stored, so the kind's
 * default credentials apply). Billing and inventory connectors of the same source share them.
 */
export function readStoredSecret(sourceName: string, secretCiphertext: string | null): unknown {
  if (secretCiphertext === null) return undefined;
  try {
    return JSON.parse(decryptSecret(secretCiphertext));
  } catch (error) {
    // decryptSecret's messages name the key problem; a JSON error would not quote the plaintext either way.
    const reason = error instanceof SyntaxError ? 'the stored credentials are not valid JSON' : (error as Error).message;
    throw new ConnectorError(`${sourceName}: cannot read its stored credentials: ${reason}`, 'CONFIG');
  }
}

/** One bound value as compared: absent, empty and false alike; a URL by its normalized form. */
function boundValue(value: unknown): string {
  if (value === undefined || value === null || value === false || value === '') return '';
  if (typeof value === 'string' && /^https?:\/\//i.test(value)) {
    try {
      return new URL(value).href;
    } catch {
      return value;
    }
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The credential-bound config fields (see `credentialBoundFields`) whose value in `next` differs
 * from the stored config's. A stored config the kind no longer accepts binds nothing safely, so
 * then every bound field counts as changed. Both configs are compared after the kind's schema.
 */
export function changedCredentialBindings(
  kind: Pick<ConnectorKind, 'configSchema' | 'credentialBoundFields'>,
  stored: unknown,
  next: unknown,
): string[] {
  const before = kind.configSchema.safeParse(stored);
  const after = kind.configSchema.safeParse(next);
  if (!before.success || !after.success) return [...kind.credentialBoundFields];
  const b = before.data as Record<string, unknown>;
  const a = after.data as Record<string, unknown>;
  return kind.credentialBoundFields.filter((field) => boundValue(b[field]) !== boundValue(a[field]));
}

/** What the form needs of a kind: everything but the schemas and create(), which stay on the server. */
export interface ConnectorKindForm {
  kind: string;
  label: string;
  provider: SourceProvider;
  description: string;
  secretRequired: boolean;
  secretLabel: string;
  configFields: readonly SourceFormField[];
  secretFields: readonly SourceFormField[];
}

export function connectorKindForms(): ConnectorKindForm[] {
  return CONNECTOR_KIND_IDS.map((id) => {
    const k: ConnectorKind = CONNECTOR_KINDS[id];
    return {
      kind: k.kind,
      label: k.label,
      provider: k.provider,
      description: k.description,
      secretRequired: k.secretRequired,
      secretLabel: k.secretLabel,
      configFields: k.configFields,
      secretFields: k.secretFields,
    };
  });
}
