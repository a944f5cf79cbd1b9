import * as React from 'react';

import { formatMoney, formatNumber, formatSeconds, formatSigned } from '../format';
import { countsAt, isSweepCounts } from '../sweep';
import { ICompareGroup, IPairMetrics, IRunSummary } from '../tokens';
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

/** The server's notes on a pair, else what compare.py says for sweeps (it keeps notes out of `pairs`). */
function pairNotes(pair: IPairMetrics, a: IRunSummary, b: IRunSummary): string[] {
  if (pair.notes && pair.notes.length > 0) {
    return pair.notes;
  }
  const pa = points(a);
  const pb = points(b);
  if (pa === null && pb === null) {
    return [];
  }
  if (pair.hellinger_fidelity === null || pa === null || pb === null) {
    return ['not the same sweep points: fidelity needs both runs to sweep the same parameter values'];
  }
  return [`sweep of ${pa} points: fidelity and TVD are means over the points`];
}

/** The label of a run's histogram series: a sweep shows its point 0. */
function seriesLabel(run: IRunSummary): string {
  return points(run) === null ? run.backend : `${run.backend} (point 0)`;
}

/**
 * Runs of one circuit on several backends: for each pair, fidelity, TVD, depth overhead, latency, cost, histograms.
 *
 * For a pair of sweeps, fidelity and TVD are the server's means over the points, and the histograms are of point 0.
 */
export function ComparePanel(props: { groups: ICompareGroup[] }): JSX.Element {
  if (props.groups.length === 0) {
    return (
      <div className="qh-ComparePanel qh-mod-empty">
        Nothing to compare yet: run one circuit on two backends, e.g. <code>%%qrun -b aer -b fake_torino</code>.
      </div>
    );
  }
  return (
    <div className="qh-ComparePanel">
      {props.groups.map(group => {
        const runs = new Map(group.runs.map(r => [r.id, r]));
        return (
          <section
            key={group.circuit_hash}
            className="qh-ComparePanel-group"
            aria-label={`Compare ${group.circuit_name}`}
          >
            <h3 className="qh-ComparePanel-title">
              {group.circuit_name ?? 'circuit'} · {group.num_qubits ?? '?'} qubits
            </h3>
            {group.pairs.map(pair => {
              const a = runs.get(pair.a);
              const b = runs.get(pair.b);
              if (!a || !b) {
                return null;
              }
              const sweep = points(a) !== null || points(b) !== null;
              const notes = pairNotes(pair, a, b);
              const ca = countsAt(a.counts, 0);
              const cb = countsAt(b.counts, 0);
              return (
                <div
                  key={`${pair.a}-${pair.b}`}
                  className="qh-ComparePanel-pair"
                  aria-label={`${a.backend} vs ${b.backend}`}
                >
                  <div className="qh-ComparePanel-pairTitle">
                    {a.backend} <span className="qh-ComparePanel-kind">{a.kind}</span> vs {b.backend}{' '}
                    <span className="qh-ComparePanel-kind">{b.kind}</span>
                  </div>
                  <div className="qh-ComparePanel-metrics">
                    <Metric
                      name={sweep ? 'mean Hellinger fidelity' : 'Hellinger fidelity'}
                      value={formatNumber(pair.hellinger_fidelity, 4)}
                      hint={`1 = identical output distributions${sweep ? ' (mean over the sweep points)' : ''}`}
                    />
                    <Metric
                      name={sweep ? 'mean TVD' : 'TVD'}
                      value={formatNumber(pair.total_variation_distance, 4)}
                      hint={`total variation distance${sweep ? ' (mean over the sweep points)' : ''}`}
                    />
                    <Metric
                      name="depth overhead"
                      value={`${formatSigned(pair.depth_overhead)} (${formatNumber(a.depth)} → ${formatNumber(b.depth)})`}
                    />
                    <Metric
                      name="2q overhead"
                      value={`${formatSigned(pair.two_qubit_overhead ?? null)} (${formatNumber(a.two_qubit)} → ${formatNumber(b.two_qubit)})`}
                    />
                    <Metric
                      name="latency"
                      value={`${formatSeconds(a.total_seconds)} vs ${formatSeconds(b.total_seconds)}`}
                    />
                    <Metric name="cost" value={`${cost(a)} vs ${cost(b)}`} />
                  </div>
                  {notes.map(note => (
                    <div key={note} className="qh-ComparePanel-note">
                      {note}
                    </div>
                  ))}
                  {ca && cb && (
                    <>
                      {sweep && <div className="qh-ComparePanel-histogramTitle">Counts at point 0</div>}
                      <Histogram
                        series={[
                          { label: seriesLabel(a), counts: ca },
                          { label: seriesLabel(b), counts: cb }
                        ]}
                        maxOutcomes={8}
                      />
                    </>
                  )}
                </div>
              );
            })}
          </section>
        );
      })}
    </div>
  );
}
