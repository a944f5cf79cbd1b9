import * as React from 'react';

import { formatMoney } from '../format';
import {
  bucketLabel,
  formatLatency,
  formatRate,
  formatSpend,
  IBackendMetrics,
  IMetrics,
  IMetricsSummary,
  METRICS_WINDOWS,
  MetricsWindow
} from '../metrics';
import { Sparkline } from './Sparkline';

/**
 * Props of the Metrics panel.
 */
export interface IMetricsPanelProps {
  metrics: IMetrics | null;
  window: MetricsWindow;
  onWindow: (window: MetricsWindow) => void;
}

function Figure(props: { name: string; value: string; hint?: string; tone?: string }): JSX.Element {
  return (
    <div className={`qh-MetricsPanel-figure${props.tone ? ` qh-mod-${props.tone}` : ''}`} title={props.hint}>
      <span className="qh-MetricsPanel-figureValue">{props.value}</span>
      <span className="qh-MetricsPanel-figureName">{props.name}</span>
    </div>
  );
}

function Figures(props: { summary: IMetricsSummary }): JSX.Element {
  const s = props.summary;
  return (
    <div className="qh-MetricsPanel-figures">
      <Figure name="submissions" value={String(s.submissions)} hint={`${s.active} still active`} />
      <Figure
        name="success"
        value={formatRate(s.success_rate)}
        hint={`${s.done} done of ${s.settled} settled`}
        tone="success"
      />
      <Figure
        name="errors"
        value={formatRate(s.error_rate)}
        hint={`${s.errors} failed or interrupted of ${s.settled} settled`}
        tone={s.errors > 0 ? 'error' : undefined}
      />
      <Figure
        name="fallback"
        value={formatRate(s.fallback_rate)}
        hint={`${s.fallbacks} of ${s.submissions} jobs fell back to the next backend`}
        tone={s.fallbacks > 0 ? 'warn' : undefined}
      />
      <Figure name="spend" value={formatSpend(s.spend)} hint="actual cost (a done job without one: its estimate)" />
      <Figure name="per success" value={formatMoney(s.cost_per_success, s.currency)} hint="spend / successful jobs" />
    </div>
  );
}

function Latency(props: { summary: IMetricsSummary }): JSX.Element {
  const rows: [string, string, keyof IMetricsSummary['latency']][] = [
    ['submission', 'creation to hand-off to the backend, not transpiling or queued', 'submit'],
    ['queue', 'waiting for a worker or at the provider', 'queue'],
    ['execution', 'running', 'run']
  ];
  return (
    <table className="qh-MetricsPanel-latency">
      <thead>
        <tr>
          <th scope="col">latency</th>
          <th scope="col">median</th>
          <th scope="col">p95</th>
          <th scope="col">n</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, hint, key]) => {
          const q = props.summary.latency[key];
          return (
            <tr key={key} title={hint}>
              <th scope="row">{name}</th>
              <td>{formatLatency(q.median)}</td>
              <td>{formatLatency(q.p95)}</td>
              <td>{q.count}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function BackendCard(props: { row: IBackendMetrics; bucket: string }): JSX.Element {
  const r = props.row;
  return (
    <li className="qh-MetricsPanel-backend" aria-label={`Metrics of ${r.backend}`}>
      <div className="qh-MetricsPanel-backendHeader">
        <span className="qh-MetricsPanel-backendName">{r.backend}</span>
        {r.kind && <span className={`qh-MetricsPanel-kind qh-mod-${r.kind}`}>{r.kind}</span>}
        <Sparkline
          values={r.series.submissions}
          highlight={r.series.errors}
          label={`${r.backend}: submissions per ${props.bucket} (errors highlighted)`}
        />
      </div>
      <Figures summary={r} />
      <Latency summary={r} />
    </li>
  );
}

/**
 * Operations metrics of a window: overall figures with submissions over time, then one card per backend with
 * its rates, latency quantiles, cost per success and spend.
 */
export function MetricsPanel(props: IMetricsPanelProps): JSX.Element {
  const m = props.metrics;
  const bucket = m ? bucketLabel(m.series.step) : '';
  return (
    <div className="qh-MetricsPanel">
      <div className="qh-MetricsPanel-windows" role="radiogroup" aria-label="Metrics window">
        {METRICS_WINDOWS.map(([id, label]) => (
          <button
            key={id}
            role="radio"
            aria-checked={props.window === id}
            className={`qh-MetricsPanel-window${props.window === id ? ' qh-mod-selected' : ''}`}
            onClick={() => props.onWindow(id)}
          >
            {label}
          </button>
        ))}
      </div>
      {m === null || m.window !== props.window ? (
        <div className="qh-MetricsPanel-loading">Reading the run log…</div>
      ) : m.overall.submissions === 0 ? (
        <div className="qh-MetricsPanel qh-mod-empty">No jobs in this window.</div>
      ) : (
        <>
          <section className="qh-MetricsPanel-overall" aria-label="All backends">
            <div className="qh-MetricsPanel-backendHeader">
              <span className="qh-MetricsPanel-backendName">All backends</span>
              <Sparkline
                values={m.series.submissions}
                highlight={m.series.errors}
                label={`Submissions per ${bucket} (errors highlighted)`}
                width={160}
              />
            </div>
            <Figures summary={m.overall} />
            <Latency summary={m.overall} />
          </section>
          <ul className="qh-MetricsPanel-backends" aria-label="Backends">
            {m.backends.map(row => (
              <BackendCard key={row.backend} row={row} bucket={bucket} />
            ))}
          </ul>
          <div className="qh-MetricsPanel-note">
            Bars: submissions per {bucket}, errors highlighted. Prometheus: <code>/qhybrid-lab/metrics</code>.
          </div>
        </>
      )}
    </div>
  );
}
