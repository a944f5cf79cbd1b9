import { ICounts, IJobRecord } from './tokens';

/**
 * Whether counts are those of a sweep (one counts dict per parameter point).
 */
export function isSweepCounts(counts: ICounts | ICounts[] | null | undefined): counts is ICounts[] {
  return Array.isArray(counts);
}

/**
 * The counts of one point: point `index` of a sweep (null when out of range), or the counts themselves.
 */
export function countsAt(counts: ICounts | ICounts[] | null | undefined, index = 0): ICounts | null {
  if (!counts) {
    return null;
  }
  if (isSweepCounts(counts)) {
    return counts[index] ?? null;
  }
  return counts;
}

/**
 * How many parameter points a job sweeps over: from its parameters, else from its counts; null if not a sweep.
 */
export function sweepSize(job: IJobRecord): number | null {
  const values = job.parameters?.values;
  if (Array.isArray(values)) {
    return values.length;
  }
  const counts = job.result?.counts;
  return isSweepCounts(counts) ? counts.length : null;
}

/**
 * A parameter value for a table cell: up to 4 decimals, trailing zeros dropped.
 */
export function formatParameter(value: unknown): string {
  if (typeof value !== 'number' || !isFinite(value)) {
    return String(value ?? '—');
  }
  return String(Number(value.toFixed(4)));
}
