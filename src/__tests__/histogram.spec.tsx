/**
 * The sidebar's histogram: probabilities with ±1σ shot noise, as a whisker and in the label.
 */
import * as React from 'react';
import { act } from 'react-dom/test-utils';
import { createRoot, Root } from 'react-dom/client';

import { Histogram, IHistogramSeries, shotNoise } from '../components/Histogram';

describe('Histogram', () => {
  let host: HTMLElement;
  let root: Root;

  beforeEach(() => {
    (globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  it('computes the binomial standard error of a probability', () => {
    expect(shotNoise(0.5, 1000)).toBeCloseTo(0.01581, 5);
    expect(shotNoise(0.1, 100)).toBeCloseTo(0.03, 10);
    expect(shotNoise(1, 1000)).toBe(0);
    expect(shotNoise(0.5, 0)).toBe(0);
  });

  it('draws each bar with its shot-noise whisker and label', () => {
    // Given a Bell run of 1000 shots and a noisier one of 100 shots
    const series: IHistogramSeries[] = [
      { label: 'aer', counts: { '00': 500, '11': 500 } },
      { label: 'fake_torino', counts: { '00': 45, '01': 10, '11': 45 } }
    ];
    act(() => root.render(<Histogram series={series} />));

    // Then every bar is labelled p ± σ, σ from its own shots
    const values = Array.from(host.querySelectorAll('.qh-Histogram-value')).map(e => e.textContent);
    expect(values).toEqual([
      '0.500 ± 0.016',
      '0.450 ± 0.050',
      '0.000',
      '0.100 ± 0.030',
      '0.500 ± 0.016',
      '0.450 ± 0.050'
    ]);
    // And the whisker spans p − σ to p + σ of the track; a bar without noise (p = 0) has none
    const whiskers = Array.from(host.querySelectorAll<HTMLElement>('.qh-Histogram-error'));
    expect(whiskers).toHaveLength(5);
    expect(whiskers[0].style.left).toBe('48.42%');
    expect(whiskers[0].style.width).toBe('3.16%');
    const noisy = host.querySelectorAll<HTMLElement>('.qh-Histogram-track')[3];
    expect(noisy.title).toBe('fake_torino: 10 of 100 shots, p = 0.100 ± 0.030 (±1σ shot noise)');
  });
});
