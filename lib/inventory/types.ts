import type { MetricName } from '../metrics/names';
import type { ResourceProvider } from '../resources/normalize';

/**
 * The second data path (issue 9): what a cloud (or a Prometheus) says exists and how busy it was.
 * Each inventory connector (lib/inventory/<cloud>.ts) implements InventoryConnector with the
 * cloud's official SDK; lib/inventory/sync.ts writes what it yields through lib/resources/store.ts
 * and lib/metrics/store.ts. Errors are lib/connectors/types.ts ConnectorError (same codes and
 * messages rules as billing connectors: name the source, the object, the cause; never a secret).
 */

export type ResourceKind = 'instance' | 'volume' | 'snapshot' | 'address' | 'load_balancer' | 'gpu' | 'other';

/** One thing that exists, as an inventory API lists it. `resourceId` is normalized by the store. */
export interface ResourceRecord {
  provider: ResourceProvider;
  resourceId: string;
  /** A GPU's UUID for kind 'gpu' (resourceId is then the machine's); omitted otherwise. */
  subResourceId?: string;
  kind: ResourceKind;
  accountId?: string;
  regionId?: string;
  name?: string | null;
  /** Instance type, VM size, machine type, volume type (gp2, Premium_LRS, pd-balanced), GPU model. */
  resourceType?: string | null;
  /** The provider's own state word: running, stopped, deallocated, available, in-use, TERMINATED. */
  state?: string | null;
  /** Volume → its instance; address → its instance or interface; snapshot → its source volume. */
  attachedTo?: string | null;
  sizeGb?: string | null;
  createdAt?: Date | null;
  tags?: Record<string, string>;
  /** Anything else a rule needs (e.g. { stoppedAt, launchTime, targets, gpuCount, migProfile }). */
  details?: Record<string, unknown>;
}

/** Samples of one metric of one resource (or one GPU of it), ascending by time. */
export interface SampleBatch {
  provider: ResourceProvider;
  resourceId: string;
  subResourceId?: string;
  metric: MetricName;
  /** Epoch milliseconds. */
  timestamps: number[];
  values: number[];
}

export interface MetricsWindow {
  start: Date;
  end: Date;
  /** Seconds between points asked of the API (CloudWatch Period, Azure interval, Prometheus step). */
  stepSeconds: number;
}

export interface InventoryConnector {
  /** Cheap check that the configuration and credentials work; throws ConnectorError. */
  testConnection(signal?: AbortSignal): Promise<void>;
  /** Everything the credentials can see, across the configured regions/subscriptions/projects. */
  listResources(signal?: AbortSignal): AsyncIterable<ResourceRecord>;
  /**
   * Utilization of the given resources over the window. A resource without a metric is skipped
   * (not an error); a vanished resource yields nothing. Throttling retries inside, then throws
   * ConnectorError('THROTTLED').
   */
  fetchMetrics(resources: readonly ResourceRecord[], window: MetricsWindow, signal?: AbortSignal): AsyncIterable<SampleBatch>;
  /**
   * The accounts (subscriptions, projects) the finished listResources covered completely, including
   * those where it found nothing: lib/inventory/sync.ts marks what they no longer list as gone.
   * Without it, the accounts of the listed records are the scope (an account whose last resource
   * was deleted then keeps it until another record of that account is listed).
   */
  listedScope?(): readonly InventoryScope[];
}

export interface InventoryScope {
  provider: ResourceProvider;
  accountId: string;
}
