import * as React from 'react';

import { convergence, IIteration } from '../experiments';
import { formatNumber } from '../format';
import { extent, linePath, linearScale, stepPoints } from '../svgplot';

const WIDTH = 300;
const HEIGHT = 150;
const MARGIN = { left: 44, right: 8, top: 8, bottom: 22 };

/**
 * The objective of each iteration with its standard error as a bar, and the best value so far as a line (SVG).
 */
export function ConvergencePlot(props: { iterations: IIteration[] }): JSX.Element {
  const points = convergence(props.iterations);
  if (points.length === 0) {
    return <div className="qh-ConvergencePlot qh-mod-empty">No iteration with a value yet.</div>;
  }
  const ys = extent(([] as number[]).concat(...points.map(p => [p.value - p.stderr, p.value + p.stderr])), 0.05) as [
    number,
    number
  ];
  const first = points[0].n;
  const last = points[points.length - 1].n;
  const x = linearScale([first, Math.max(last, first + 1)], [MARGIN.left, WIDTH - MARGIN.right]);
  const y = linearScale(ys, [HEIGHT - MARGIN.bottom, MARGIN.top]);
  const best = points[points.length - 1];
  const bestPath = linePath(stepPoints(points.map(p => [x(p.n), y(p.best)])));
  const label = `Convergence: ${points.length} iterations, best ${formatNumber(best.best, 4)}`;
  return (
    <svg
      className="qh-ConvergencePlot"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="xMidYMid meet"
    >
      <title>{label}</title>
      <line
        className="qh-ConvergencePlot-axis"
        x1={MARGIN.left}
        x2={MARGIN.left}
        y1={MARGIN.top}
        y2={HEIGHT - MARGIN.bottom}
      />
      <line
        className="qh-ConvergencePlot-axis"
        x1={MARGIN.left}
        x2={WIDTH - MARGIN.right}
        y1={HEIGHT - MARGIN.bottom}
        y2={HEIGHT - MARGIN.bottom}
      />
      {[ys[0], (ys[0] + ys[1]) / 2, ys[1]].map((v, i) => (
        <text key={i} className="qh-ConvergencePlot-tick" x={MARGIN.left - 4} y={y(v) + 3} textAnchor="end">
          {formatNumber(v, Math.abs(ys[1] - ys[0]) < 1 ? 3 : 2)}
        </text>
      ))}
      <text className="qh-ConvergencePlot-tick" x={MARGIN.left} y={HEIGHT - 6} textAnchor="start">
        {first}
      </text>
      <text className="qh-ConvergencePlot-tick" x={WIDTH - MARGIN.right} y={HEIGHT - 6} textAnchor="end">
        {last}
      </text>
      <text className="qh-ConvergencePlot-tick" x={(MARGIN.left + WIDTH) / 2} y={HEIGHT - 6} textAnchor="middle">
        iteration
      </text>
      {points.map(p =>
        p.stderr > 0 ? (
          <line
            key={`e${p.n}`}
            className="qh-ConvergencePlot-error"
            x1={x(p.n)}
            x2={x(p.n)}
            y1={y(p.value - p.stderr)}
            y2={y(p.value + p.stderr)}
          />
        ) : null
      )}
      <path className="qh-ConvergencePlot-best" d={bestPath} />
      {points.map(p => (
        <circle key={`v${p.n}`} className="qh-ConvergencePlot-value" cx={x(p.n)} cy={y(p.value)} r={2}>
          <title>{`iteration ${p.n}: ${formatNumber(p.value, 4)} ± ${formatNumber(p.stderr, 4)}`}</title>
        </circle>
      ))}
    </svg>
  );
}
