import type { FormatId } from '../ingest/types';

/**
 * One unit of billing data a provider delivered: a CUR manifest with its parts, an Azure export
 * run, a BigQuery window. Ingested as one transaction (lib/ingest/pipeline.ts `parts`).
 */
export interface DeliveryRef {
  /** Stable identity across syncs, e.g. the manifest key or the export folder. */
  key: string;
  /** Changes whenever the provider restates the delivery (ETag, assemblyId, runId, export time). */
  fingerprint: string;
  /** YYYY-MM-DD of the billing period it covers, when the layout says so. */
  billingPeriod?: string;
  format: FormatId | 'auto';
  dataset?: 'actual' | 'amortized';
  /** Human-readable summary for the run history. */
  description?: string;
}

export interface Connector {
  /** Lists every delivery currently present, newest last. Throws ConnectorError on bad credentials etc. */
  discover(signal?: AbortSignal): Promise<DeliveryRef[]>;
  /** Downloads the delivery's data files into `dir` and returns their local paths, in order. */
  download(ref: DeliveryRef, dir: string, signal?: AbortSignal): Promise<string[]>;
  /** Cheap check that the configuration and credentials work; throws ConnectorError with a clear message. */
  testConnection(signal?: AbortSignal): Promise<void>;
}

export type ConnectorErrorCode = 'AUTH' | 'NOT_FOUND' | 'THROTTLED' | 'BAD_DELIVERY' | 'NETWORK' | 'CONFIG';

/** A failure a user can act on; `message` names the source, the object and the cause, never a secret. */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly code: ConnectorErrorCode,
    readonly retryable = code === 'THROTTLED' || code === 'NETWORK',
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}
