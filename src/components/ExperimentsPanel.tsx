import * as React from 'react';

import { experimentState, IExperiment, IExperimentView } from '../experiments';
import { formatMoney, formatNumber, formatSeconds } from '../format';
import { ConvergencePlot } from './ConvergencePlot';
import { FallbackBadge } from './FallbackBadge';
import { LatencyBar } from './LatencyBar';
import { StatusBadge } from './StatusBadge';

/**
 * Props of the Experiments panel.
 */
export interface IExperimentsPanelProps {
  experiments: IExperiment[];
  /** The open experiment's name, or null for the list. */
  selected: string | null;
  /** The open experiment as read (null while it is being read). */
  view: IExperimentView | null;
  onSelect: (name: string | null) => void;
  onStop: (name: string) => void;
  /** Open one of the experiment's jobs in the Queue's detail view. */
  onJob: (id: string) => void;
}

function bestText(experiment: IExperiment): string {
  const best = experiment.best;
  if (!best) {
    return '—';
  }
  const error = typeof best.stderr === 'number' ? ` ± ${formatNumber(best.stderr, 3)}` : '';
  return `${formatNumber(best.value, 4)}${error}`;
}

function Stat(props: { name: string; value: string; hint?: string }): JSX.Element {
  return (
    <div className="qh-ExperimentsPanel-stat" title={props.hint}>
      <span className="qh-ExperimentsPanel-statName">{props.name}</span>
      <span className="qh-ExperimentsPanel-statValue">{props.value}</span>
    </div>
  );
}

function ExperimentList(props: IExperimentsPanelProps): JSX.Element {
  if (props.experiments.length === 0) {
    return (
      <div className="qh-ExperimentsPanel qh-mod-empty">
        No experiments yet. Group a loop's runs with <code>with qhybrid_lab.experiment(&quot;name&quot;):</code> or run{' '}
        <code>qhybrid_lab.minimize(...)</code>.
      </div>
    );
  }
  return (
    <div className="qh-ExperimentsPanel">
      <ul className="qh-ExperimentsPanel-list" aria-label="Experiments">
        {props.experiments.map(e => (
          <li key={e.name} className="qh-ExperimentsPanel-row">
            <button
              className="qh-ExperimentsPanel-main"
              aria-label={`Show experiment ${e.name}`}
              onClick={() => props.onSelect(e.name)}
            >
              <span className="qh-ExperimentsPanel-line">
                <StatusBadge status={experimentState(e)} />
                <span className="qh-ExperimentsPanel-name">{e.name}</span>
                <span className="qh-ExperimentsPanel-count">{e.iterations} it.</span>
              </span>
              <span className="qh-ExperimentsPanel-line qh-ExperimentsPanel-meta">
                <span title="Best value so far">best {bestText(e)}</span>
                <span>{formatMoney(e.totals?.cost ?? 0)}</span>
                <span>{formatSeconds(e.totals?.seconds)}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ExperimentDetail(props: IExperimentsPanelProps & { name: string }): JSX.Element {
  const view = props.view;
  const back = (
    <button className="jp-Button jp-mod-styled qh-ExperimentsPanel-back" onClick={() => props.onSelect(null)}>
      ← Experiments
    </button>
  );
  if (!view) {
    return (
      <div className="qh-ExperimentsPanel">
        {back}
        <div className="qh-ExperimentsPanel-loading">Reading {props.name}…</div>
      </div>
    );
  }
  const e = view.experiment;
  const state = experimentState(e);
  const last = view.iterations[view.iterations.length - 1];
  return (
    <div className="qh-ExperimentsPanel qh-mod-detail" aria-label={`Experiment ${e.name}`}>
      {back}
      <div className="qh-ExperimentsPanel-header">
        <StatusBadge status={state} />
        <h3 className="qh-ExperimentsPanel-title">{e.name}</h3>
        {e.status === 'running' && e.owner_alive !== false && (
          <button
            className="jp-Button jp-mod-styled jp-mod-warn qh-ExperimentsPanel-stop"
            disabled={!!e.stop_requested}
            onClick={() => props.onStop(e.name)}
          >
            {e.stop_requested ? 'Stopping…' : 'Stop'}
          </button>
        )}
      </div>
      {e.message && <div className="qh-ExperimentsPanel-message">{e.message}</div>}
      <div className="qh-ExperimentsPanel-stats">
        <Stat name="iterations" value={String(e.iterations)} />
        <Stat name="best" value={bestText(e)} hint={e.best ? `iteration ${e.best.n}` : undefined} />
        <Stat name="last" value={last ? formatNumber(last.value, 4) : '—'} />
        <Stat name="cost" value={formatMoney(e.totals?.cost ?? 0)} />
        <Stat name="time" value={formatSeconds(e.totals?.seconds)} hint="wall time of the recorded iterations" />
        <Stat name="jobs" value={String(view.jobs_total)} />
        <Stat name="shots" value={String(e.totals?.shots ?? 0)} />
        <Stat name="fallbacks" value={String(view.fallbacks)} />
      </div>
      <h4 className="qh-ExperimentsPanel-section">Convergence</h4>
      <ConvergencePlot iterations={view.iterations} />
      <div className="qh-ExperimentsPanel-legend">
        <span className="qh-ExperimentsPanel-keyValue">objective ± error</span>
        <span className="qh-ExperimentsPanel-keyBest">best so far</span>
      </div>
      <h4 className="qh-ExperimentsPanel-section">Where the time went</h4>
      <LatencyBar latency={view.latency} />
      <h4 className="qh-ExperimentsPanel-section">
        Jobs ({view.jobs.length}
        {view.jobs_total > view.jobs.length ? ` of ${view.jobs_total}` : ''})
      </h4>
      <ul className="qh-ExperimentsPanel-jobs" aria-label="Experiment jobs">
        {view.jobs.map(job => (
          <li key={job.id} className="qh-ExperimentsPanel-job">
            <button className="qh-ExperimentsPanel-jobMain" onClick={() => props.onJob(job.id)} title={job.id}>
              <StatusBadge status={job.status} />
              <span className="qh-ExperimentsPanel-jobName">{job.circuit?.name ?? '—'}</span>
              <span className="qh-ExperimentsPanel-jobBackend">{job.backend.name}</span>
              <FallbackBadge job={job} />
              <span className="qh-ExperimentsPanel-jobTime">{formatSeconds(job.timings?.total)}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Experiments: the list (state, iterations, best, cost, time) or one experiment with its convergence plot,
 * cost and time, latency breakdown and jobs, fallbacks marked.
 */
export function ExperimentsPanel(props: IExperimentsPanelProps): JSX.Element {
  if (props.selected !== null) {
    return <ExperimentDetail {...props} name={props.selected} />;
  }
  return <ExperimentList {...props} />;
}
