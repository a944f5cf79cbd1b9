import * as React from 'react';

/**
 * One set of counts to draw, with its label.
 */
export interface IHistogramSeries {
  label: string;
  counts: Record<string, number>;
}

/**
 * The standard error of an outcome's probability estimated from `shots` samples: √(p(1−p)/N) (0 without shots).
 */
export function shotNoise(probability: number, shots: number): number {
  return shots > 0 ? Math.sqrt((probability * (1 - probability)) / shots) : 0;
}

/**
 * Counts as horizontal bars of probabilities (CSS only); several series are drawn side by side per outcome.
 *
 * Each bar carries ±1σ of shot noise as a whisker and in its label (the cell figures draw the same error bars).
 * Shows the `maxOutcomes` most frequent outcomes (over all series), sorted by bitstring.
 */
export function Histogram(props: { series: IHistogramSeries[]; maxOutcomes?: number }): JSX.Element {
  const { series } = props;
  const shots = series.map(s => Object.values(s.counts).reduce((a, b) => a + b, 0));
  const totals = shots.map(n => n || 1);
  const weight = new Map<string, number>();
  series.forEach((s, i) => {
    for (const [key, count] of Object.entries(s.counts)) {
      weight.set(key, (weight.get(key) ?? 0) + count / totals[i]);
    }
  });
  const limit = props.maxOutcomes ?? 16;
  const outcomes = [...weight.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key]) => key)
    .sort();
  const hidden = weight.size - outcomes.length;
  return (
    <div className="qh-Histogram" role="img" aria-label={`Histogram of ${series.map(s => s.label).join(' and ')}`}>
      {series.length > 1 && (
        <div className="qh-Histogram-legend">
          {series.map((s, i) => (
            <span key={s.label + i} className={`qh-Histogram-key qh-mod-series${i % 2}`}>
              {s.label}
            </span>
          ))}
        </div>
      )}
      {outcomes.map(outcome => (
        <div key={outcome} className="qh-Histogram-row">
          <code className="qh-Histogram-label">{outcome}</code>
          <div className="qh-Histogram-bars">
            {series.map((s, i) => {
              const count = s.counts[outcome] ?? 0;
              const p = count / totals[i];
              const error = shotNoise(p, shots[i]);
              const noise = error > 0 ? ` ± ${error.toFixed(3)}` : '';
              return (
                <div
                  key={i}
                  className="qh-Histogram-track"
                  title={`${s.label}: ${count} of ${shots[i]} shots, p = ${p.toFixed(3)}${noise} (±1σ shot noise)`}
                >
                  <div
                    className={`qh-Histogram-bar qh-mod-series${i % 2}`}
                    style={{ width: `${(p * 100).toFixed(1)}%` }}
                  />
                  {error > 0 && (
                    <div
                      className="qh-Histogram-error"
                      style={{
                        left: `${(Math.max(0, p - error) * 100).toFixed(2)}%`,
                        width: `${((Math.min(1, p + error) - Math.max(0, p - error)) * 100).toFixed(2)}%`
                      }}
                    />
                  )}
                  <span className="qh-Histogram-value">
                    {p.toFixed(3)}
                    {noise}
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      ))}
      {hidden > 0 && <div className="qh-Histogram-more">+{hidden} rarer outcomes</div>}
    </div>
  );
}
