/**
 * Operations metrics as `GET metrics?window=` serves them (qhybrid_lab/runlog/metrics.py), and the pure logic the
 * Metrics panel shows them with.
 */

/**
 * The windows metrics are computed over.
 */
export type MetricsWindow = 'hour' | 'day' | 'all';

/**
 * The windows with their labels, in the order of the panel's selector.
 */
export const METRICS_WINDOWS: [MetricsWindow, string][] = [
  ['hour', 'Last hour'],
  ['day', 'Last day'],
  ['all', 'All time']
];

/**
 * Median and p95 of one latency phase (seconds), over `count` jobs.
 */
export interface IPhaseQuantiles {
  median: number | null;
  p95: number | null;
  count: number;
}

/**
 * The metrics of a set of jobs (one backend's, or all of them).
 */
export interface IMetricsSummary {
  submissions: number;
  by_status: Record<string, number>;
  settled: number;
  done: number;
  errors: number;
  active: number;
  success_rate: number | null;
  error_rate: number | null;
  blocked_rate: number | null;
  fallbacks: number;
  fallbacks_received: number;
  fallback_rate: number | null;
  latency: { submit: IPhaseQuantiles; queue: IPhaseQuantiles; run: IPhaseQuantiles };
  /** By currency. */
  spend: Record<string, number>;
  currency: string;
  hardware_equivalent: number;
  cost_per_success: number | null;
}

/**
 * Counts per time bucket, from `start` (epoch s) in steps of `step` s.
 */
export interface IMetricsSeries {
  start: number;
  step: number;
  submissions: number[];
  done: number[];
  errors: number[];
  fallbacks: number[];
  spend: number[];
}

/**
 * One backend's row.
 */
export interface IBackendMetrics extends IMetricsSummary {
  backend: string;
  kind: string | null;
  series: IMetricsSeries;
}

/**
 * The answer of `GET metrics`.
 */
export interface IMetrics {
  window: MetricsWindow;
  since: number | null;
  now: number;
  overall: IMetricsSummary;
  backends: IBackendMetrics[];
  series: IMetricsSeries;
}

/**
 * A rate as a percentage ("97.5 %"), an em dash when undefined.
 */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !isFinite(rate)) {
    return '—';
  }
  const percent = rate * 100;
  return `${Number.isInteger(percent) ? percent.toFixed(0) : percent.toFixed(1)} %`;
}

/**
 * Seconds in a unit that suits small latencies: "850 µs", "12 ms", "1.20 s"; an em dash when unknown.
 */
export function formatLatency(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) {
    return '—';
  }
  if (seconds < 1e-3) {
    return `${Math.round(seconds * 1e6)} µs`;
  }
  if (seconds < 1) {
    return `${(seconds * 1000).toFixed(seconds < 0.01 ? 1 : 0)} ms`;
  }
  if (seconds < 60) {
    return `${seconds.toFixed(2)} s`;
  }
  return `${(seconds / 60).toFixed(1)} min`;
}

/**
 * The spend of a summary as one text: "$0.00", or "$1.20 + 3.00 EUR" when several currencies were used.
 */
export function formatSpend(spend: Record<string, number>): string {
  const entries = Object.entries(spend);
  if (entries.length === 0) {
    return '$0.00';
  }
  return entries
    .map(([currency, amount]) => {
      const digits = amount !== 0 && Math.abs(amount) < 0.01 ? 4 : 2;
      return currency === 'USD' ? `$${amount.toFixed(digits)}` : `${amount.toFixed(digits)} ${currency}`;
    })
    .join(' + ');
}

/**
 * The length of one bucket of a series as words: "5 min", "1 h", "2.5 d".
 */
export function bucketLabel(stepSeconds: number): string {
  if (stepSeconds < 90) {
    return `${Math.round(stepSeconds)} s`;
  }
  if (stepSeconds < 5400) {
    return `${Math.round(stepSeconds / 60)} min`;
  }
  if (stepSeconds < 2 * 86400) {
    const hours = stepSeconds / 3600;
    return `${Number.isInteger(Math.round(hours * 10) / 10) ? Math.round(hours) : hours.toFixed(1)} h`;
  }
  return `${(stepSeconds / 86400).toFixed(1)} d`;
}
