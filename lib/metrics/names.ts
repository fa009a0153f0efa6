/**
 * Canonical metric names: every source (CloudWatch, Azure Monitor, Cloud Monitoring, Prometheus,
 * nvidia-smi logs, DCGM scrapes, plain CSV) is stored under one of these, in one unit, so a rule
 * reads `cpu_utilization` whatever delivered it. The CHECK on metric_series.metric lists the same
 * names (migration 0011); lib/metrics/names.test.ts compares the two.
 */
export const METRICS = {
  cpu_utilization: { unit: 'percent', label: 'CPU utilization' },
  memory_utilization: { unit: 'percent', label: 'Memory utilization' },
  network_in: { unit: 'bytes/s', label: 'Network in' },
  network_out: { unit: 'bytes/s', label: 'Network out' },
  disk_read_ops: { unit: 'ops/s', label: 'Disk read operations' },
  disk_write_ops: { unit: 'ops/s', label: 'Disk write operations' },
  /** From the graphics-engine-active counter (DCGM_FI_PROF_GR_ENGINE_ACTIVE × 100) when the source has it. */
  gpu_utilization: { unit: 'percent', label: 'GPU utilization' },
  gpu_memory_used: { unit: 'bytes', label: 'GPU memory used' },
  gpu_memory_total: { unit: 'bytes', label: 'GPU memory total' },
  gpu_sm_active: { unit: 'percent', label: 'GPU SM active' },
  load_balancer_requests: { unit: 'requests/s', label: 'Load balancer requests' },
  load_balancer_healthy_targets: { unit: 'count', label: 'Healthy targets' },
} as const satisfies Record<string, { unit: string; label: string }>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

/** Metrics whose samples belong to one GPU of a machine (sub_resource_id is the GPU's UUID). */
export const GPU_METRICS: readonly MetricName[] = ['gpu_utilization', 'gpu_memory_used', 'gpu_memory_total', 'gpu_sm_active'];
