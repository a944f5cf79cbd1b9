import * as React from 'react';

import { formatExpectation, formatInterval, verdict } from '../compare';
import { formatMoney, formatNumber, formatSeconds, formatSigned } from '../format';
import { countsAt, isSweepCounts } from '../sweep';
import { IPairMetrics, IRunSummary } from '../tokens';
import { Histogram } from './Histogram';

function Metric(props: { name: string; value: string; hint?: string }): JSX.Element {
  return (
    <div className="qh-ComparePanel-metric" title={props.hint}>
      <span className="qh-ComparePanel-metricName">{props.name}</span>
      <span className="qh-ComparePanel-metricValue">{props.value}</span>
    </div>
  );
}

function cost(run: IRunSummary): string {
  const hw =
    run.kind === 'emulator' && run.hardware_equivalent
      ? ` (hw-eq. ${formatMoney(run.hardware_equivalent, run.currency)})`
      : '';
  return `${formatMoney(run.cost, run.currency)}${hw}`;
}

/** How many points a run sweeps over, or null when it is not a sweep. */
function points(run: IRunSummary): number | null {
  return isSweepCounts(run.counts) ? run.counts.length : null;
}

/**
 * One pair of runs: fidelity and TVD with their 95 % shot-noise intervals, whether the difference is within shot
 * noise, expectation values in units of the combined standard error, mitigation warnings, overheads, latency,
 * cost and both histograms. A pair the server could not compare shows its reason.
 */
export function ComparePair(props: {
  a: IRunSummary;
  b: IRunSummary;
  metrics: Omit<IPairMetrics, 'a' | 'b'>;
  /** Buttons (pin, unpin) shown in the title row. */
  actions?: React.ReactNode;
}): JSX.Element {
  const { a, b, metrics } = props;
  const title = (
    <div className="qh-ComparePanel-pairTitle">
      <span>
        {a.backend} <span className="qh-ComparePanel-kind">{a.kind}</span> vs {b.backend}{' '}
        <span className="qh-ComparePanel-kind">{b.kind}</span>{' '}
        <code className="qh-ComparePanel-ids">
          {a.id.slice(0, 8)} · {b.id.slice(0, 8)}
        </code>
      </span>
      {props.actions}
    </div>
  );
  if (metrics.comparable === false) {
    return (
      <div className="qh-ComparePanel-pair" aria-label={`${a.backend} vs ${b.backend}`}>
        {title}
        <div className="qh-ComparePanel-reason" role="note">
          Not comparable: {metrics.reason}
        </div>
      </div>
    );
  }
  const sweep = points(a) !== null || points(b) !== null;
  const judged = verdict(metrics);
  const mean = sweep ? 'mean ' : '';
  const mitigated = metrics.mitigation;
  const firstPoint = metrics.points?.[0];
  const ca = countsAt(a.counts, firstPoint?.a ?? 0);
  const cb = countsAt(b.counts, firstPoint?.b ?? 0);
  return (
    <div className="qh-ComparePanel-pair" aria-label={`${a.backend} vs ${b.backend}`}>
      {title}
      {(metrics.warnings ?? []).map(w => (
        <div key={w} className="qh-ComparePanel-warning" role="alert">
          {w}
        </div>
      ))}
      <div
        className={`qh-ComparePanel-verdict${judged.within === true ? ' qh-mod-within' : ''}${judged.within === false ? ' qh-mod-beyond' : ''}`}
        title={judged.detail}
      >
        <strong>{judged.label}</strong>
        {judged.detail && <span className="qh-ComparePanel-verdictDetail"> ({judged.detail})</span>}
      </div>
      <div className="qh-ComparePanel-metrics">
        <Metric
          name={`${mean}Hellinger fidelity [95%]`}
          value={formatInterval(metrics.hellinger_fidelity, metrics.hellinger_fidelity_interval)}
          hint="1 = identical output distributions; the bracket is the 95% shot-noise interval (bootstrap)"
        />
        <Metric
          name={`${mean}TVD [95%]`}
          value={formatInterval(metrics.total_variation_distance, metrics.total_variation_distance_interval)}
          hint="total variation distance; the bracket is the 95% shot-noise interval (bootstrap)"
        />
        {mitigated && mitigated.hellinger_fidelity !== undefined && (
          <Metric
            name={`mitigated fidelity / TVD (${mitigated.basis ?? ''})`}
            value={`${formatNumber(mitigated.hellinger_fidelity, 4)} / ${formatNumber(mitigated.total_variation_distance, 4)}`}
            hint={mitigated.note}
          />
        )}
        <Metric name="mitigation" value={`${a.mitigation ?? 'none'} vs ${b.mitigation ?? 'none'}`} />
        <Metric
          name="depth overhead"
          value={`${formatSigned(metrics.depth_overhead)} (${formatNumber(a.depth)} → ${formatNumber(b.depth)})`}
        />
        <Metric
          name="2q overhead"
          value={`${formatSigned(metrics.two_qubit_overhead ?? null)} (${formatNumber(a.two_qubit)} → ${formatNumber(b.two_qubit)})`}
        />
        <Metric name="latency" value={`${formatSeconds(a.total_seconds)} vs ${formatSeconds(b.total_seconds)}`} />
        <Metric name="cost" value={`${cost(a)} vs ${cost(b)}`} />
      </div>
      {(metrics.expectation_values ?? []).length > 0 && (
        <ul className="qh-ComparePanel-evs" aria-label="Expectation values">
          {(metrics.expectation_values ?? []).slice(0, 12).map((row, i) => (
            <li key={i} className={row.within_shot_noise ? 'qh-mod-within' : 'qh-mod-beyond'}>
              {formatExpectation(row)} · {row.within_shot_noise ? 'within' : 'beyond'} shot noise
            </li>
          ))}
        </ul>
      )}
      {(metrics.notes ?? []).map(note => (
        <div key={note} className="qh-ComparePanel-note">
          {note}
        </div>
      ))}
      {ca && cb && (
        <>
          {sweep && (
            <div className="qh-ComparePanel-histogramTitle">
              Counts at {firstPoint ? `the first common point (${firstPoint.values.join(', ')})` : 'point 0'}
            </div>
          )}
          <Histogram
            series={[
              { label: `${a.backend} (${a.id.slice(0, 6)})`, counts: ca },
              { label: `${b.backend} (${b.id.slice(0, 6)})`, counts: cb }
            ]}
            maxOutcomes={8}
          />
        </>
      )}
    </div>
  );
}
