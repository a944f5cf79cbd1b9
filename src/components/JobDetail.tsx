import * as React from 'react';

import { basename, formatClock, formatMoney, formatNumber, formatOps, formatSeconds } from '../format';
import { countsAt, formatParameter, isSweepCounts, sweepSize } from '../sweep';
import { ACTIVE_STATES, IJobRecord } from '../tokens';
import { Histogram } from './Histogram';
import { StatusBadge } from './StatusBadge';

/**
 * Props of the job detail view.
 */
export interface IJobDetailProps {
  job: IJobRecord;
  cancelling: boolean;
  onBack: () => void;
  onCancel: (id: string) => void;
  /** For a sweep: the parameter point whose counts are drawn (0 when not given). */
  point?: number;
  /** For a sweep: choose the point whose counts are drawn. */
  onPoint?: (index: number) => void;
}

function Field(props: { name: string; children: React.ReactNode }): JSX.Element {
  return (
    <>
      <dt className="qh-JobDetail-key">{props.name}</dt>
      <dd className="qh-JobDetail-value">{props.children}</dd>
    </>
  );
}

function Section(props: { title: string; children: React.ReactNode }): JSX.Element {
  return (
    <section className="qh-JobDetail-section" aria-label={props.title}>
      <h3 className="qh-JobDetail-heading">{props.title}</h3>
      {props.children}
    </section>
  );
}

/** How many points of a sweep the parameter table lists. */
const SWEEP_TABLE_ROWS = 5;

function SweepTable(props: { names: string[]; values: number[][]; point: number }): JSX.Element {
  const { names, values, point } = props;
  const shown = values.slice(0, SWEEP_TABLE_ROWS);
  return (
    <table className="qh-JobDetail-sweepTable" aria-label="Sweep points">
      <thead>
        <tr>
          <th className="qh-JobDetail-sweepIndex">point</th>
          {names.map(name => (
            <th key={name}>{name}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {shown.map((row, i) => (
          <tr key={i} className={i === point ? 'qh-mod-selected' : undefined}>
            <td className="qh-JobDetail-sweepIndex">{i}</td>
            {names.map((name, j) => (
              <td key={name}>{formatParameter(row[j])}</td>
            ))}
          </tr>
        ))}
      </tbody>
      {values.length > shown.length && (
        <tfoot>
          <tr>
            <td className="qh-JobDetail-sweepMore" colSpan={names.length + 1}>
              … {values.length - shown.length} more points
            </td>
          </tr>
        </tfoot>
      )}
    </table>
  );
}

function pointLabel(names: string[], row: number[] | undefined, index: number): string {
  const values = names.map((name, j) => `${name} = ${formatParameter(row?.[j])}`).join(', ');
  return values ? `${index}: ${values}` : String(index);
}

/**
 * A provider job: its id at the provider, the provider's own state and message, and where it is in the queue.
 */
function ProviderSection(props: { job: IJobRecord }): JSX.Element {
  const { job } = props;
  const status = job.provider_status ?? {};
  const position = status.queue_position_text ?? status.queue_position;
  return (
    <Section title="Provider">
      <dl className="qh-JobDetail-fields">
        <Field name="provider">{job.provider_job?.provider ?? job.backend.provider ?? '—'}</Field>
        <Field name="provider job id">
          <code className="qh-JobDetail-providerId">{job.provider_job_id ?? '— (not submitted yet)'}</code>
        </Field>
        <Field name="provider state">{status.provider_state ?? '—'}</Field>
        <Field name="queue position">
          {position !== undefined && position !== null ? String(position) : (status.queue_note ?? '—')}
        </Field>
        {status.message && <Field name="provider message">{status.message}</Field>}
      </dl>
    </Section>
  );
}

const TIMING_KEYS = ['transpile', 'submit', 'queue', 'run', 'retrieve', 'total'];

/**
 * Why a job shows no calibration: an ideal simulator has none; a job that never ran took none.
 */
function noCalibration(job: IJobRecord): string {
  if (job.backend.kind === 'simulator') {
    return 'None (an ideal simulator has no calibration).';
  }
  if (job.status === 'blocked' || !job.timings?.started_at) {
    return 'None: the job did not run on the backend.';
  }
  return 'Not recorded for this job.';
}

/**
 * The full record of one job: transpilation, calibration, timings, cost, counts and errors.
 *
 * A sweep shows its number of points, its parameter names, a table of the first points' values and the
 * histogram of one point (`props.point`, chosen with a "Point" select that calls `props.onPoint`).
 */
export function JobDetail(props: IJobDetailProps): JSX.Element {
  const { job } = props;
  const t = job.transpile ?? {};
  const c = job.circuit;
  const cal = job.calibration ?? null;
  const timings = job.timings ?? {};
  const cost = job.cost ?? {};
  const counts = job.result?.counts;
  const points = sweepSize(job);
  const names = job.parameters?.names ?? [];
  const values = job.parameters?.values ?? [];
  const pointCount = isSweepCounts(counts) ? counts.length : (points ?? 0);
  const point = Math.min(Math.max(props.point ?? 0, 0), Math.max(pointCount - 1, 0));
  const shown = countsAt(counts, point);
  // an error already shown above (a blocked job's reason, the final error) is not listed again
  const errors = (job.errors ?? []).filter(e => e.message !== job.blocked_reason && e.message !== job.error);
  return (
    <div className="qh-JobDetail">
      <div className="qh-JobDetail-toolbar">
        <button className="jp-Button jp-mod-styled jp-mod-reject" onClick={props.onBack}>
          ← All jobs
        </button>
        {ACTIVE_STATES.has(job.status) && (
          <button
            className="jp-Button jp-mod-styled jp-mod-warn"
            disabled={props.cancelling}
            aria-label={`Cancel job ${c?.name ?? ''} on ${job.backend.name}`}
            onClick={() => props.onCancel(job.id)}
          >
            {props.cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
      <h2 className="qh-JobDetail-title">
        <StatusBadge status={job.status} /> {c?.name} on {job.backend.name}
      </h2>
      {job.error && job.error !== job.blocked_reason && <div className="qh-JobDetail-error">{job.error}</div>}
      {job.blocked_reason && <div className="qh-JobDetail-error">Blocked: {job.blocked_reason}</div>}
      <dl className="qh-JobDetail-fields">
        <Field name="id">
          <code>{job.id}</code>
        </Field>
        <Field name="backend">
          {job.backend.name} ({job.backend.kind}
          {job.backend.version ? `, v${job.backend.version}` : ''})
        </Field>
        <Field name="notebook">{basename(job.origin?.notebook)}</Field>
        <Field name="shots">{job.shots ?? '—'}</Field>
        <Field name="created">{formatClock(job.created)}</Field>
        <Field name="attempts">{job.attempts ?? 1}</Field>
      </dl>
      {(job.provider_job_id || job.provider_status) && <ProviderSection job={job} />}
      <Section title="Transpilation">
        <p className="qh-JobDetail-none">Logical circuit → transpiled for the backend.</p>
        <dl className="qh-JobDetail-fields">
          <Field name="optimization level">{t.optimization_level ?? '—'}</Field>
          <Field name="layout / routing">
            {t.layout_method ?? 'default'} / {t.routing_method ?? 'default'}
          </Field>
          <Field name="seed">{t.seed ?? '—'}</Field>
          <Field name="qiskit">{t.qiskit_version ?? '—'}</Field>
          <Field name="depth">
            {formatNumber(c?.depth)} → {formatNumber(t.depth)}
          </Field>
          <Field name="size">
            {formatNumber(c?.size)} → {formatNumber(t.size)}
          </Field>
          <Field name="2q gates">
            {formatNumber(c?.two_qubit)} → {formatNumber(t.two_qubit)}
          </Field>
          <Field name="ops">{formatOps(t.ops)}</Field>
          <Field name="physical qubits">{t.physical_qubits ? t.physical_qubits.join(', ') : '—'}</Field>
          <Field name="cached">{t.cached === undefined ? '—' : t.cached ? 'yes' : 'no'}</Field>
        </dl>
      </Section>
      <Section title="Calibration">
        {cal ? (
          <dl className="qh-JobDetail-fields">
            <Field name="date">
              <span title={String(cal.date ?? '')}>{String(cal.date ?? '—').slice(0, 10)}</span>
            </Field>
            <Field name="median 2q error">{formatNumber(cal.median_2q_error as number, 4)}</Field>
            <Field name="median readout error">{formatNumber(cal.median_readout_error as number, 4)}</Field>
            <Field name="median T1 / T2 (µs)">
              {formatNumber(cal.median_t1_us as number, 1)} / {formatNumber(cal.median_t2_us as number, 1)}
            </Field>
          </dl>
        ) : (
          <p className="qh-JobDetail-none">{noCalibration(job)}</p>
        )}
      </Section>
      <Section title="Timings">
        <dl className="qh-JobDetail-fields">
          {TIMING_KEYS.filter(key => timings[key] !== undefined && timings[key] !== null).map(key => (
            <Field key={key} name={key}>
              {formatSeconds(timings[key])}
            </Field>
          ))}
        </dl>
      </Section>
      <Section title="Cost">
        <dl className="qh-JobDetail-fields">
          <Field name="estimate">{formatMoney(cost.estimate, cost.currency)}</Field>
          <Field name="hardware-equivalent">{formatMoney(cost.hardware_equivalent, cost.currency)}</Field>
          <Field name="counted against budgets">
            {formatMoney(cost.counted, cost.currency)}
            {cost.rehearsal ? ' (rehearsal)' : ''}
          </Field>
        </dl>
      </Section>
      {points !== null && (
        <Section title="Sweep">
          <p className="qh-JobDetail-sweepSummary">
            {points} {points === 1 ? 'point' : 'points'}
            {names.length > 0 && (
              <>
                {' '}
                over <code>{names.join(', ')}</code>
              </>
            )}
          </p>
          {values.length > 0 && <SweepTable names={names} values={values} point={point} />}
        </Section>
      )}
      {expectations(job, point).length > 0 && (
        <Section title="Expectation values">
          <ul className="qh-JobDetail-evs">
            {expectations(job, point).map(line => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </Section>
      )}
      <Section title="Counts">
        {isSweepCounts(counts) && counts.length > 0 && (
          <label className="qh-JobDetail-point">
            <span className="qh-JobDetail-pointLabel">Point</span>
            <select
              className="qh-JobDetail-pointSelect"
              value={point}
              onChange={event => props.onPoint?.(Number(event.target.value))}
            >
              {counts.map((_, i) => (
                <option key={i} value={i}>
                  {pointLabel(names, values[i], i)}
                </option>
              ))}
            </select>
          </label>
        )}
        {shown ? (
          <Histogram
            series={[
              { label: isSweepCounts(counts) ? `${job.backend.name} point ${point}` : job.backend.name, counts: shown }
            ]}
            maxOutcomes={12}
          />
        ) : (
          <p className="qh-JobDetail-none">No result yet.</p>
        )}
      </Section>
      {errors.length > 0 && (
        <Section title="Errors">
          <ol className="qh-JobDetail-errors">
            {errors.map((e, i) => (
              <li key={i}>
                attempt {e.attempt ?? '?'}: <strong>{e.type}</strong> {e.message}
              </li>
            ))}
          </ol>
        </Section>
      )}
    </div>
  );
}

/** `⟨label⟩ = v ± e` per observable of a job (a sweep: at `point`), or none without observables. */
export function expectations(job: IJobRecord, point: number): string[] {
  const result = job.result ?? {};
  let values = result.expectation_values;
  let errors = result.standard_errors;
  if (!values || values.length === 0) {
    return [];
  }
  if (Array.isArray(values[0])) {
    values = (values as number[][])[point] ?? [];
    errors = (errors as number[][] | undefined)?.[point] ?? [];
  }
  const labels = (job.observables ?? []).map(o => o.label);
  const exact = result.ev_method === 'exact' ? ' (exact)' : '';
  return (values as number[]).map(
    (v, i) =>
      `⟨${labels[i] ?? `O${i}`}⟩ = ${Number(v.toPrecision(4))} ± ${Number(((errors as number[] | undefined)?.[i] ?? 0).toPrecision(2))}${exact}`
  );
}
