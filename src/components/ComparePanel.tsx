import * as React from 'react';

import { formatMoney, formatNumber, formatSeconds, formatSigned } from '../format';
import { ICompareGroup, IRunSummary } from '../tokens';
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

/**
 * Runs of one circuit on several backends: for each pair, fidelity, TVD, depth overhead, latency, cost, histograms.
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
          <section key={group.circuit_hash} className="qh-ComparePanel-group" aria-label={`Compare ${group.circuit_name}`}>
            <h3 className="qh-ComparePanel-title">
              {group.circuit_name ?? 'circuit'} · {group.num_qubits ?? '?'} qubits
            </h3>
            {group.pairs.map(pair => {
              const a = runs.get(pair.a);
              const b = runs.get(pair.b);
              if (!a || !b) {
                return null;
              }
              return (
                <div key={`${pair.a}-${pair.b}`} className="qh-ComparePanel-pair" aria-label={`${a.backend} vs ${b.backend}`}>
                  <div className="qh-ComparePanel-pairTitle">
                    {a.backend} <span className="qh-ComparePanel-kind">{a.kind}</span> vs {b.backend}{' '}
                    <span className="qh-ComparePanel-kind">{b.kind}</span>
                  </div>
                  <div className="qh-ComparePanel-metrics">
                    <Metric
                      name="Hellinger fidelity"
                      value={formatNumber(pair.hellinger_fidelity, 4)}
                      hint="1 = identical output distributions"
                    />
                    <Metric name="TVD" value={formatNumber(pair.total_variation_distance, 4)} hint="total variation distance" />
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
                  {a.counts && b.counts && (
                    <Histogram
                      series={[
                        { label: a.backend, counts: a.counts },
                        { label: b.backend, counts: b.counts }
                      ]}
                      maxOutcomes={8}
                    />
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
