/**
 * Geometry for the sidebar's small SVG plots (sparklines, the convergence plot): scales and path strings.
 */

/**
 * A linear map from `domain` to `range`; a domain of zero width maps everything to the middle of the range.
 */
export function linearScale(domain: [number, number], range: [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (!isFinite(d0) || !isFinite(d1) || d1 === d0) {
    const middle = (r0 + r1) / 2;
    return () => middle;
  }
  return value => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

/**
 * The smallest and largest finite numbers of `values` (widened by `pad` of the span), or null when none.
 */
export function extent(values: number[], pad = 0): [number, number] | null {
  const finite = values.filter(v => typeof v === 'number' && isFinite(v));
  if (finite.length === 0) {
    return null;
  }
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  const span = hi - lo || Math.abs(hi) || 1;
  lo -= span * pad;
  hi += span * pad;
  return [lo, hi];
}

/**
 * An SVG path ("M x y L x y ...") through the points; null values break the line.
 */
export function linePath(points: [number, number | null][]): string {
  let out = '';
  let pen = false;
  for (const [x, y] of points) {
    if (y === null || !isFinite(y)) {
      pen = false;
      continue;
    }
    out += `${pen ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)} `;
    pen = true;
  }
  return out.trim();
}

/**
 * Bars of a sparkline: `[x, y, width, height]` for each value, scaled to a `width` × `height` box from 0 up to
 * `top` (default: the largest value).
 */
export function barRects(
  values: number[],
  width: number,
  height: number,
  top: number = Math.max(0, ...values.filter(v => isFinite(v)))
): [number, number, number, number][] {
  const step = values.length ? width / values.length : width;
  const gap = step > 3 ? 1 : 0;
  return values.map((v, i) => {
    const h = top > 0 && isFinite(v) && v > 0 ? Math.max(1, (Math.min(v, top) / top) * height) : 0;
    return [i * step, height - h, Math.max(0.5, step - gap), h];
  });
}

/**
 * The corners of a step line through `points` (each value holds until the next point's x): for a
 * "best so far" curve.
 */
export function stepPoints(points: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  points.forEach(([x, y], i) => {
    if (i > 0) {
      out.push([x, points[i - 1][1]]);
    }
    out.push([x, y]);
  });
  return out;
}
