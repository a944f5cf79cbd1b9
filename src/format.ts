import { ACTIVE_STATES, IJobRecord } from './tokens';

/**
 * Seconds as "0.42 s", "12.3 s", "4 min 05 s"; an em dash when unknown.
 */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) {
    return '—';
  }
  if (seconds < 10) {
    return `${seconds.toFixed(2)} s`;
  }
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const whole = Math.round(seconds); // 119.6 s is "2 min 00 s", not "1 min 60 s"
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/**
 * An amount of money: "$0.00", "1.60 EUR"; an em dash when unknown.
 */
export function formatMoney(amount: number | null | undefined, currency = 'USD'): string {
  if (amount === null || amount === undefined || !isFinite(amount)) {
    return '—';
  }
  const digits = amount !== 0 && Math.abs(amount) < 0.01 ? 4 : 2;
  return currency === 'USD' ? `$${amount.toFixed(digits)}` : `${amount.toFixed(digits)} ${currency}`;
}

/**
 * A number with at most `digits` decimals; an em dash when unknown.
 */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !isFinite(value)) {
    return '—';
  }
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/**
 * A signed difference: "+4", "−0.2".
 */
export function formatSigned(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !isFinite(value)) {
    return '—';
  }
  const text = Math.abs(value).toFixed(digits);
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

/**
 * Epoch seconds as a local clock time ("14:05:09").
 */
export function formatClock(epochSeconds: number | null | undefined): string {
  if (!epochSeconds) {
    return '—';
  }
  return new Date(epochSeconds * 1000).toLocaleTimeString();
}

/**
 * How long a job has taken: its total time when finished, the time since it was created while active.
 */
export function elapsedSeconds(job: IJobRecord, nowMs: number = Date.now()): number | null {
  const total = job.timings?.total;
  if (!ACTIVE_STATES.has(job.status) && typeof total === 'number') {
    return total;
  }
  if (ACTIVE_STATES.has(job.status)) {
    return Math.max(0, nowMs / 1000 - job.created);
  }
  return job.updated && job.created ? Math.max(0, job.updated - job.created) : null;
}

/**
 * The last path segment of a notebook path ("notebooks/01-quickstart.ipynb" → "01-quickstart.ipynb").
 */
export function basename(path: string | null | undefined): string {
  if (!path) {
    return '—';
  }
  const parts = path.split('/');
  return parts[parts.length - 1];
}

/**
 * Op counts as "cx 3 · h 1 · measure 2" (largest first).
 */
export function formatOps(ops: Record<string, number> | null | undefined): string {
  if (!ops) {
    return '—';
  }
  return Object.entries(ops)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, count]) => `${name} ${count}`)
    .join(' · ');
}
