import * as React from 'react';

import { latencyShares } from '../experiments';
import { formatLatency } from '../metrics';

/**
 * Where the time went: one stacked bar of the latency parts (classical, transpile, submit, queue, run,
 * retrieve), with a legend of their seconds and shares.
 */
export function LatencyBar(props: { latency: Record<string, number> | null | undefined }): JSX.Element {
  const shares = latencyShares(props.latency);
  const measured = shares.some(([, seconds]) => seconds > 0);
  return (
    <div className="qh-LatencyBar" role="img" aria-label="Latency breakdown">
      <div className="qh-LatencyBar-bar">
        {measured ? (
          shares.map(([part, seconds, share]) =>
            share > 0 ? (
              <span
                key={part}
                className={`qh-LatencyBar-part qh-mod-${part}`}
                style={{ width: `${(share * 100).toFixed(2)}%` }}
                title={`${part}: ${formatLatency(seconds)} (${(share * 100).toFixed(1)} %)`}
              />
            ) : null
          )
        ) : (
          <span className="qh-LatencyBar-none">nothing measured yet</span>
        )}
      </div>
      <ul className="qh-LatencyBar-legend">
        {shares.map(([part, seconds, share]) => (
          <li key={part} className="qh-LatencyBar-key">
            <span className={`qh-LatencyBar-swatch qh-mod-${part}`} />
            <span className="qh-LatencyBar-name">{part}</span>
            <span className="qh-LatencyBar-value">
              {formatLatency(seconds)} · {(share * 100).toFixed(0)} %
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
