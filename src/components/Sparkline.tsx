import * as React from 'react';

import { barRects } from '../svgplot';

/**
 * A row of small bars (one per time bucket) in an SVG; `highlight` (e.g. errors) is drawn over them.
 */
export function Sparkline(props: {
  values: number[];
  highlight?: number[];
  label: string;
  width?: number;
  height?: number;
}): JSX.Element {
  const width = props.width ?? 120;
  const height = props.height ?? 24;
  const top = Math.max(0, ...props.values);
  const bars = barRects(props.values, width, height);
  const over = props.highlight ? barRects(props.highlight, width, height, top) : [];
  return (
    <svg
      className="qh-Sparkline"
      role="img"
      aria-label={props.label}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      preserveAspectRatio="none"
    >
      <title>{props.label}</title>
      <line className="qh-Sparkline-base" x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} />
      {bars.map(([x, y, w, h], i) =>
        h > 0 ? <rect key={i} className="qh-Sparkline-bar" x={x} y={y} width={w} height={h} /> : null
      )}
      {over.map(([x, y, w, h], i) =>
        h > 0 ? <rect key={`h${i}`} className="qh-Sparkline-highlight" x={x} y={y} width={w} height={h} /> : null
      )}
    </svg>
  );
}
