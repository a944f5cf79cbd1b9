/**
 * Experiments as the REST API serves them (`GET experiments`, `GET experiments/<name>`), and the pure logic the
 * Experiments panel draws with: the convergence trace with the best value so far, the latency breakdown's shares.
 */
import { IJobRecord } from './tokens';

/**
 * An experiment document (runlog/experiments.py), with `owner_alive` for a running one.
 */
export interface IExperiment {
  name: string;
  status: 'running' | 'finished' | 'stopped' | 'failed' | string;
  owner?: string | null;
  /** Whether the process running the loop lives (null unless running). */
  owner_alive: boolean | null;
  created?: number;
  updated?: number;
  iterations: number;
  best?: { n: number; value: number; stderr?: number | null; parameters?: unknown } | null;
  totals?: { cost?: number; seconds?: number; jobs?: number; shots?: number };
  settings?: Record<string, unknown>;
  message?: string | null;
  stop_requested?: { by?: string; at?: number } | null;
  seconds?: number | null;
}

/**
 * One iteration of an experiment's trace.
 */
export interface IIteration {
  n: number;
  at: number;
  parameters?: unknown;
  value: number | null;
  stderr?: number | null;
  jobs?: number;
  job_ids?: string[];
  shots?: number;
  cost?: number;
  hardware_equivalent?: number;
  backends?: string[];
  fallbacks?: number;
  seconds?: number;
  latency?: Record<string, number>;
}

/**
 * The answer of `GET experiments/<name>`.
 */
export interface IExperimentView {
  experiment: IExperiment;
  /** The iterations from `since` on. */
  iterations: IIteration[];
  since: number;
  /** Seconds per part over the whole trace: classical, transpile, submit, queue, run, retrieve, and wall. */
  latency: Record<string, number>;
  fallbacks: number;
  /** The experiment's jobs, newest first (brief records). */
  jobs: IJobRecord[];
  jobs_total: number;
}

/**
 * The parts of the latency breakdown, in the order they are drawn, with their labels.
 */
export const LATENCY_PARTS: [string, string][] = [
  ['classical', 'classical'],
  ['transpile', 'transpile'],
  ['submit', 'submit'],
  ['queue', 'queue'],
  ['run', 'run'],
  ['retrieve', 'retrieve']
];

/**
 * One point of the convergence plot.
 */
export interface IConvergencePoint {
  n: number;
  value: number;
  stderr: number;
  /** The lowest value up to and including this iteration. */
  best: number;
}

/**
 * The iterations that have a finite value, each with the best (lowest) value so far.
 */
export function convergence(iterations: IIteration[]): IConvergencePoint[] {
  const out: IConvergencePoint[] = [];
  let best = Infinity;
  for (const it of [...iterations].sort((a, b) => a.n - b.n)) {
    if (typeof it.value !== 'number' || !isFinite(it.value)) {
      continue;
    }
    best = Math.min(best, it.value);
    const stderr = typeof it.stderr === 'number' && isFinite(it.stderr) ? Math.abs(it.stderr) : 0;
    out.push({ n: it.n, value: it.value, stderr, best });
  }
  return out;
}

/**
 * Add newly read iterations to those already held: replaces the ones with the same number, keeps the order.
 */
export function mergeIterations(held: IIteration[], fresh: IIteration[]): IIteration[] {
  const byNumber = new Map(held.map(it => [it.n, it]));
  for (const it of fresh) {
    byNumber.set(it.n, it);
  }
  return [...byNumber.values()].sort((a, b) => a.n - b.n);
}

/**
 * Each latency part's share of their sum (0 when nothing was measured), in LATENCY_PARTS order.
 */
export function latencyShares(latency: Record<string, number> | null | undefined): [string, number, number][] {
  const values = LATENCY_PARTS.map(([key]) => {
    const v = latency?.[key];
    return typeof v === 'number' && isFinite(v) && v > 0 ? v : 0;
  });
  const total = values.reduce((a, b) => a + b, 0);
  return LATENCY_PARTS.map(([key], i) => [key, values[i], total > 0 ? values[i] / total : 0]);
}

/**
 * What the experiment's state shows: "running", or "running (kernel gone)" when its process stopped.
 */
export function experimentState(experiment: IExperiment): string {
  if (experiment.status === 'running' && experiment.owner_alive === false) {
    return 'interrupted';
  }
  return experiment.status;
}

/**
 * The fallback link of a record, if it has one: which way it points and to which job.
 */
export function fallbackLink(
  job: Pick<IJobRecord, 'fallback'>
): { direction: 'to' | 'from'; id: string; backend: string | null; reason: string | null } | null {
  const link = job.fallback;
  if (!link) {
    return null;
  }
  const direction = link.to ? 'to' : link.from ? 'from' : null;
  if (!direction) {
    return null;
  }
  return {
    direction,
    id: String(link[direction]),
    backend: typeof link.backend === 'string' ? link.backend : null,
    reason: typeof link.reason === 'string' ? link.reason : null
  };
}
