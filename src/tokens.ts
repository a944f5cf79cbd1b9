import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

/**
 * A job state, as stored in the run log.
 */
export type JobStatus = 'pending' | 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'blocked' | 'interrupted';

/**
 * States in which a job still holds a place in a queue (it can be cancelled).
 */
export const ACTIVE_STATES: ReadonlySet<string> = new Set(['pending', 'queued', 'running']);

/**
 * Counts of one run (or of one point of a sweep): measured bitstring → number of shots.
 */
export type ICounts = Record<string, number>;

/**
 * The parameter points of a sweep: `values[i][j]` is the value of `names[j]` at point `i`.
 */
export interface ISweepParameters {
  names: string[];
  values: number[][];
}

/**
 * Metrics of a circuit (logical, or after transpilation).
 */
export interface ICircuitMetrics {
  depth?: number | null;
  size?: number | null;
  two_qubit?: number | null;
  ops?: Record<string, number> | null;
}

/**
 * One run record (one circuit on one backend), as the REST API returns it.
 *
 * Only the fields the sidebar reads are typed; see docs/architecture.md for the whole record.
 */
export interface IJobRecord {
  id: string;
  group?: string;
  created: number;
  updated: number;
  status: JobStatus;
  status_history?: { status: string; at: number; note?: string | null }[];
  backend: {
    name: string;
    kind: 'simulator' | 'emulator' | 'hardware' | string;
    provider?: string;
    version?: string;
    num_qubits?: number | null;
  };
  circuit: ICircuitMetrics & {
    /** sha256 of the circuit's canonical form (never of its QASM or QPY text). */
    hash: string;
    name: string;
    num_qubits: number;
    /** OpenQASM 3 text; null when Qiskit's exporter cannot write it (see qasm_unavailable) or it is in qasm_ref. */
    qasm?: string | null;
    /** Why there is no OpenQASM 3 text, else null. */
    qasm_unavailable?: string | null;
    /** Blob of the circuit as QPY (always written). */
    qpy_ref?: string | null;
  };
  /** The points of a sweep (the result then has one counts dict per point), else null. */
  parameters?: ISweepParameters | null;
  shots?: number;
  transpile?:
    | (ICircuitMetrics & {
        optimization_level?: number;
        layout_method?: string | null;
        routing_method?: string | null;
        seed?: number | null;
        qiskit_version?: string;
        cached?: boolean;
        seconds?: number;
        physical_qubits?: number[];
      })
    | null;
  calibration?: Record<string, unknown> | null;
  simulation?: Record<string, unknown> | null;
  cost?: {
    currency?: string;
    estimate?: number | null;
    actual?: number | null;
    hardware_equivalent?: number | null;
    counted?: number | null;
    rehearsal?: boolean;
  } | null;
  timings?: Record<string, number | null> | null;
  attempts?: number;
  errors?: { at?: number; attempt?: number; type?: string; message: string }[];
  error?: string | null;
  blocked_reason?: string | null;
  /** Fallback links: `to` the job that ran instead of this one, or `from` the job this one replaced. */
  fallback?: { to?: string; from?: string; backend?: string; reason?: string } | null;
  /** `counts` is a list, one counts dict per parameter point, for a sweep. */
  result?: {
    counts?: ICounts | ICounts[];
    shots?: number;
    /** One per observable; for a sweep, one such list per point. */
    expectation_values?: number[] | number[][];
    /** Same shape: shot noise (0 when computed exactly). */
    standard_errors?: number[] | number[][];
    ev_method?: 'shots' | 'exact';
  } | null;
  /**
   * What expectation values were asked of: Qiskit Pauli labels with real coefficients (`terms` null for a PennyLane
   * observable with no Pauli form; `measurement` "expval" for a converted PennyLane circuit's own measurements).
   */
  observables?: { label: string; terms: [string, number][] | null; measurement?: 'expval' }[] | null;
  origin?: { notebook?: string | null; owner?: string; kernel_id?: string | null } | null;
  tags?: string[];
  experiment?: string | null;
  /** IBM job id / Braket task ARN of a provider job, else null. */
  provider_job_id?: string | null;
  provider_job?: { provider?: string; job_id?: string | null; local?: boolean; sdk?: string } | null;
  /** What the provider last said about the job. */
  provider_status?: IProviderStatus | null;
}

/**
 * A provider's own view of a job (`ProviderStatus.as_record()`).
 */
export interface IProviderStatus {
  status?: string;
  /** The provider's own state: "QUEUED", "CREATED", "CANCELLING", ... */
  provider_state?: string | null;
  message?: string | null;
  queue_position?: number | null;
  /** The provider's text as given (">2000"). */
  queue_position_text?: string | null;
  /** E.g. "IBM Runtime V2 reports no queue position". */
  queue_note?: string | null;
  timestamps?: Record<string, number>;
}

/**
 * One group row of the jobs table (`GET table`): one `%%qrun` / `run()` call.
 */
export interface ITableGroup {
  group: string;
  submitted: number | null;
  updated: number;
  total: number;
  by_status: Record<string, number>;
  done: number;
  active: number;
  finished: number;
  backends: string[];
  kinds: string[];
  /** At most 20 circuit names. */
  names: string[];
  experiments: string[];
  tags: string[];
  notebooks: string[];
  /** Where its first selected job is in the whole table (null: the group is only among the pinned jobs). */
  offset: number | null;
  /** How many of its jobs the filters select (null likewise). */
  matching: number | null;
}

/**
 * The answer of `GET table`: one page of the Queue, every active job pinned, counts from the server.
 */
export interface IJobsTable {
  page: IJobRecord[];
  active: IJobRecord[];
  groups: ITableGroup[];
  /** Of the jobs the filters select, whatever their status. */
  counts: { total: number; active: number; by_status: Record<string, number> };
  /** Of the whole run log (the header's "N active"). */
  overall: { total: number; active: number };
  /** How many jobs the table pages through (`status` applied). */
  total: number;
  limit: number;
  offset: number;
  next_offset: number | null;
}

/**
 * What the Queue asks the server for (the query of `GET table`); null or '' means not filtered.
 */
export interface ITableQuery {
  status: string | null;
  backend: string | null;
  kind: string | null;
  notebook: string | null;
  tag: string | null;
  experiment: string | null;
  /** Search: a circuit name or tag containing it, or an id starting with it. */
  q: string | null;
  /** Hide finished jobs last changed before this (epoch s): "clear finished". */
  finished_after: number | null;
  offset: number;
  limit: number;
}

/**
 * A budget with what is already spent and committed against it.
 */
export interface IBudget {
  limit: number;
  period: 'day' | 'total' | 'job' | string;
  backend: string | null;
  currency: string;
  spent?: number;
  committed?: number;
  remaining?: number;
}

/**
 * The answer of `GET budgets`.
 */
export interface IBudgetState {
  budgets: IBudget[];
  rehearse: boolean;
  blocked: IJobRecord[];
}

/**
 * A run inside a comparison group (`GET compare`).
 */
export interface IRunSummary {
  id: string;
  backend: string;
  kind: string;
  status: string;
  shots?: number | null;
  depth?: number | null;
  two_qubit?: number | null;
  total_seconds?: number | null;
  queue_seconds?: number | null;
  run_seconds?: number | null;
  cost?: number | null;
  hardware_equivalent?: number | null;
  currency?: string;
  /** One counts dict per parameter point for a sweep. */
  counts?: ICounts | ICounts[] | null;
  created?: number | null;
  /** "none", or what was applied ("readout (mthree 3.0.0; ...)"). */
  mitigation?: string;
  observables?: string[];
}

/**
 * How far two sampled distributions are apart beyond shot noise (`qhybrid_lab.comparison.noise.shot_noise`).
 */
export interface IShotNoise {
  method: string;
  alpha: number;
  confidence: number;
  /** Single runs: the test's p-value ("both runs sample one distribution"). */
  p_value?: number;
  /** Single runs: the TVD that shot noise alone reaches with probability 1 − alpha. */
  noise_tvd?: number;
  /** Sweeps: how many points were compared, and how many are within shot noise. */
  points?: number;
  points_within?: number;
  test?: string;
}

/**
 * One sweep point both runs measured.
 */
export interface IPointMetrics {
  a: number;
  b: number;
  values: number[];
  hellinger_fidelity: number;
  hellinger_fidelity_interval: [number, number];
  total_variation_distance: number;
  total_variation_distance_interval: [number, number];
  p_value: number;
  within: boolean;
}

/**
 * An expectation value of both runs: the difference in units of the combined standard error.
 */
export interface IExpectationDelta {
  label: string;
  /** The sweep point's parameter values, or null for a single run. */
  point: number[] | null;
  a: number;
  a_se: number;
  b: number;
  b_se: number;
  delta: number;
  combined_se: number;
  /** delta / combined_se; null when both values are exact. */
  z: number | null;
  within_shot_noise: boolean;
}

/**
 * Metrics of run `b` against the reference run `a`.
 */
export interface IPairMetrics {
  a: string;
  b: string;
  hellinger_fidelity?: number | null;
  total_variation_distance?: number | null;
  /** 95 % shot-noise intervals of the metrics. */
  hellinger_fidelity_interval?: [number, number] | null;
  total_variation_distance_interval?: [number, number] | null;
  /** Whether the two runs differ no more than shot noise explains; null without counts. */
  within_shot_noise?: boolean | null;
  shot_noise?: IShotNoise | null;
  points?: IPointMetrics[] | null;
  depth_overhead?: number | null;
  depth_ratio?: number | null;
  two_qubit_overhead?: number | null;
  two_qubit_ratio?: number | null;
  expectation_values?: IExpectationDelta[];
  mitigation?: {
    a: string;
    b: string;
    mixed: boolean;
    hellinger_fidelity?: number;
    total_variation_distance?: number;
    basis?: string;
    note?: string;
    expectation_values?: IExpectationDelta[];
  };
  /** E.g. runs mitigated differently. */
  warnings?: string[];
  /** Remarks on the metrics (e.g. means over the points of a sweep), when the server gives them. */
  notes?: string[];
  /** False when the server could not compare the pair; `reason` says why. */
  comparable?: boolean;
  reason?: string;
}

/**
 * `GET compare/pair`: a pair the user picked, with both runs.
 */
export interface IComparison extends Omit<IPairMetrics, 'a' | 'b'> {
  circuit_hash: string;
  circuit_name: string | null;
  num_qubits: number | null;
  a: IRunSummary;
  b: IRunSummary;
}

/**
 * A run one run can be compared with (`GET compare/candidates`).
 */
export interface ICandidate extends IRunSummary {
  /** 'device' (its emulator or hardware run), 'simulator', 'other', 'same backend'. */
  relation: string;
  relation_text?: string;
  comparable: boolean;
  reason: string | null;
}

/**
 * The answer of `GET compare/candidates`.
 */
export interface ICandidates {
  job: IRunSummary;
  candidates: ICandidate[];
  total: number;
}

/**
 * Runs of one circuit on several backends.
 */
export interface ICompareGroup {
  circuit_hash: string;
  circuit_name: string | null;
  num_qubits: number | null;
  runs: IRunSummary[];
  pairs: IPairMetrics[];
}

/**
 * What the Compare panel asks the server for (the jobs model implements it).
 */
export interface ICompareSource {
  /** `GET compare/pair`: `b` against the reference `a`; rejects with the server's reason when not comparable. */
  comparePair(a: string, b: string): Promise<IComparison>;
  /** `GET compare/candidates`: what a run can be compared with, its counterparts first. */
  compareCandidates(job: string): Promise<ICandidates>;
  /** Finished runs whose circuit name or tag contains `text`, or whose id starts with it (newest first). */
  searchRuns(text: string): Promise<IJobRecord[]>;
}

/**
 * A change of a job's state seen by the model between two polls.
 */
export interface IJobTransition {
  job: IJobRecord;
  previous: JobStatus | null;
}

/**
 * The state and actions the sidebar and the notifications share.
 */
export interface IJobsModel {
  /** Newest first: every job of every notebook (one page). */
  readonly jobs: IJobRecord[];
  /** How many jobs the run log holds in all. */
  readonly total: number;
  readonly budgets: IBudgetState | null;
  readonly compare: ICompareGroup[];
  /** A message for the user when the server cannot be read, else null. */
  readonly error: string | null;
  /** True when the qhybrid-lab server extension is not enabled. */
  readonly serverMissing: boolean;
  /** Emitted after every poll that changed something. */
  readonly changed: ISignal<IJobsModel, void>;
  /** Emitted when a job seen by this model reaches a final state. */
  readonly jobFinished: ISignal<IJobsModel, IJobTransition>;
  /** Whether the sidebar is visible (the poll stands by while it is not, unless notifications need it). */
  visible: boolean;
  /** Poll now. */
  refresh(): Promise<void>;
  /** The full record of a job. */
  getJob(id: string): Promise<IJobRecord>;
  /** Ask the owning kernel to cancel a job. */
  cancel(id: string): Promise<void>;
  /** Set (or replace) a budget. */
  setBudget(budget: { limit: number; period: string; backend: string | null }): Promise<void>;
  /** Remove a budget. */
  removeBudget(period: string, backend: string | null): Promise<void>;
}

/**
 * The token of the shared jobs model.
 */
export const IJobsModel = new Token<IJobsModel>(
  'qhybrid-lab:IJobsModel',
  'The qhybrid-lab jobs model: polls the run log through the REST API.'
);
