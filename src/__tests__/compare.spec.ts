/**
 * The Compare panel's pure logic: intervals and verdicts as shown, expectation values, pinned pairs.
 */
import { formatExpectation, formatInterval, PinnedPairs, verdict } from '../compare';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
}

describe('formatInterval', () => {
  it('shows the value and its 95% interval', () => {
    expect(formatInterval(0.93124, [0.92051, 0.94183])).toBe('0.9312 [0.9205, 0.9418]');
    expect(formatInterval(0.5, null)).toBe('0.5000');
    expect(formatInterval(null, [0, 1])).toBe('—');
    expect(formatInterval(0.01234, [0, 0.03], 3)).toBe('0.012 [0.000, 0.030]');
  });
});

describe('verdict', () => {
  const noise = { method: 'bootstrap', alpha: 0.05, confidence: 0.95 };
  it('says within or beyond shot noise, with the evidence', () => {
    expect(verdict({ within_shot_noise: true, shot_noise: { ...noise, p_value: 0.412, noise_tvd: 0.0311 } })).toEqual({
      within: true,
      label: 'within shot noise',
      detail: 'p = 0.412; noise alone reaches TVD 0.0311'
    });
    expect(verdict({ within_shot_noise: false, shot_noise: { ...noise, p_value: 0.001 } }).label).toBe(
      'beyond shot noise'
    );
  });
  it('counts the points of a sweep', () => {
    const v = verdict({ within_shot_noise: false, shot_noise: { ...noise, points: 4, points_within: 3 } });
    expect(v.detail).toBe('3 of 4 points within (each tested at α/4)');
  });
  it('has no verdict without counts', () => {
    expect(verdict({ within_shot_noise: null, shot_noise: null })).toEqual({
      within: null,
      label: 'no counts to compare',
      detail: ''
    });
  });
});

describe('formatExpectation', () => {
  it('shows both values, the difference and its size in combined standard errors', () => {
    const row = {
      label: 'ZZ',
      point: null,
      a: 0.98123,
      a_se: 0.01,
      b: 0.9,
      b_se: 0.03,
      delta: -0.08123,
      combined_se: 0.0316,
      z: -2.5705,
      within_shot_noise: false
    };
    expect(formatExpectation(row)).toBe('⟨ZZ⟩ 0.9812 ± 0.0100 vs 0.9000 ± 0.0300: Δ −0.0812 (−2.57 σ)');
    expect(formatExpectation({ ...row, point: [0.5], z: null, delta: 0 })).toContain('@ 0.5000');
    expect(formatExpectation({ ...row, z: null })).toContain('(exact)');
  });
});

describe('PinnedPairs', () => {
  it('keeps pins newest first across instances, at most MAX', () => {
    const storage = new MemoryStorage();
    const pins = new PinnedPairs(storage);
    pins.pin('a1', 'b1');
    pins.pin('a2', 'b2');
    pins.pin('a1', 'b1'); // again: to the front, not twice
    expect(pins.pairs).toEqual([
      { a: 'a1', b: 'b1' },
      { a: 'a2', b: 'b2' }
    ]);
    expect(new PinnedPairs(storage).has('a2', 'b2')).toBe(true);
    pins.unpin('a2', 'b2');
    expect(new PinnedPairs(storage).pairs).toEqual([{ a: 'a1', b: 'b1' }]);
    for (let i = 0; i < 15; i++) {
      pins.pin(`x${i}`, `y${i}`);
    }
    expect(pins.pairs.length).toBe(PinnedPairs.MAX);
    expect(pins.pairs[0]).toEqual({ a: 'x14', b: 'y14' });
  });
  it('drops what is malformed and survives a storage that refuses writes', () => {
    expect(PinnedPairs.parse('{not json')).toEqual([]);
    expect(PinnedPairs.parse(JSON.stringify([{ a: 'x', b: 'x' }, { a: 1 }, { a: 'p', b: 'q' }]))).toEqual([
      { a: 'p', b: 'q' }
    ]);
    const full = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      }
    };
    const pins = new PinnedPairs(full);
    pins.pin('a', 'b');
    expect(pins.has('a', 'b')).toBe(true);
  });
});
