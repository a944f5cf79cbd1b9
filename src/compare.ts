import { formatNumber } from './format';
import { IExpectationDelta, IPairMetrics } from './tokens';

/**
 * A metric with its 95 % interval: "0.9312 [0.9205, 0.9418]"; an em dash when unknown.
 */
export function formatInterval(
  value: number | null | undefined,
  interval: [number, number] | null | undefined,
  digits = 4
): string {
  if (value === null || value === undefined || !isFinite(value)) {
    return '—';
  }
  const text = value.toFixed(digits);
  return interval ? `${text} [${interval[0].toFixed(digits)}, ${interval[1].toFixed(digits)}]` : text;
}

/**
 * What the views say about shot noise: a verdict (null when there are no counts to judge) and its evidence.
 */
export interface IVerdict {
  within: boolean | null;
  /** "within shot noise", "beyond shot noise", or "no counts to compare". */
  label: string;
  /** The evidence: p-value and the TVD noise alone reaches, or how many sweep points are within. */
  detail: string;
}

/**
 * The shot-noise verdict of a pair, as the Compare panel shows it.
 */
export function verdict(pair: Pick<IPairMetrics, 'within_shot_noise' | 'shot_noise'>): IVerdict {
  const within = pair.within_shot_noise ?? null;
  const noise = pair.shot_noise;
  if (within === null || !noise) {
    return { within: null, label: 'no counts to compare', detail: '' };
  }
  const label = within ? 'within shot noise' : 'beyond shot noise';
  if (noise.points !== undefined) {
    return {
      within,
      label,
      detail: `${noise.points_within ?? 0} of ${noise.points} points within (each tested at α/${noise.points})`
    };
  }
  const p = noise.p_value !== undefined ? `p = ${noise.p_value.toFixed(3)}` : '';
  const level = noise.noise_tvd !== undefined ? `; noise alone reaches TVD ${noise.noise_tvd.toFixed(4)}` : '';
  return { within, label, detail: `${p}${level}` };
}

/**
 * An expectation value of both runs in one line: "⟨ZZ⟩ 0.9812 ± 0.0100 vs 0.9000 ± 0.0300: Δ −0.0812 (−2.57 σ)".
 */
export function formatExpectation(row: IExpectationDelta): string {
  const where = row.point && row.point.length ? ` @ ${row.point.map(v => formatNumber(v, 4)).join(', ')}` : '';
  const sign = row.delta < 0 ? '−' : '+';
  const z = row.z === null ? 'exact' : `${row.z < 0 ? '−' : '+'}${Math.abs(row.z).toFixed(2)} σ`;
  return (
    `⟨${row.label}⟩${where} ${row.a.toFixed(4)} ± ${row.a_se.toFixed(4)} vs ${row.b.toFixed(4)} ± ` +
    `${row.b_se.toFixed(4)}: Δ ${sign}${Math.abs(row.delta).toFixed(4)} (${z})`
  );
}

/**
 * A pair of runs the user pinned: `a` is the reference.
 */
export interface IPinnedPair {
  a: string;
  b: string;
}

/**
 * Where pinned pairs are kept (the browser's `localStorage`, or a stand-in in tests).
 */
export interface IPinStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * The pairs the user pinned in the Compare panel, newest first, kept across reloads.
 */
export class PinnedPairs {
  constructor(storage: IPinStorage | null, key = PinnedPairs.KEY) {
    this._storage = storage;
    this._key = key;
    this._pairs = PinnedPairs.parse(storage?.getItem(key) ?? null);
  }

  /** The pinned pairs, newest first. */
  get pairs(): readonly IPinnedPair[] {
    return this._pairs;
  }

  has(a: string, b: string): boolean {
    return this._pairs.some(p => p.a === a && p.b === b);
  }

  /** Pin a pair (again: it moves to the front); at most `MAX` are kept. */
  pin(a: string, b: string): void {
    this._pairs = [{ a, b }, ...this._pairs.filter(p => !(p.a === a && p.b === b))].slice(0, PinnedPairs.MAX);
    this._save();
  }

  unpin(a: string, b: string): void {
    this._pairs = this._pairs.filter(p => !(p.a === a && p.b === b));
    this._save();
  }

  private _save(): void {
    try {
      this._storage?.setItem(this._key, JSON.stringify(this._pairs));
    } catch {
      // storage full or denied: the pins still hold for this session
    }
  }

  private _storage: IPinStorage | null;
  private _key: string;
  private _pairs: IPinnedPair[];
}

/**
 * A namespace for PinnedPairs statics.
 */
export namespace PinnedPairs {
  /** The storage key. */
  export const KEY = 'qhybrid-lab:compare-pins';
  /** How many pairs are kept. */
  export const MAX = 10;

  /** Pinned pairs from their stored text; anything malformed is dropped. */
  export function parse(text: string | null): IPinnedPair[] {
    if (!text) {
      return [];
    }
    try {
      const data = JSON.parse(text);
      return Array.isArray(data)
        ? data
            .filter(p => p && typeof p.a === 'string' && typeof p.b === 'string' && p.a !== p.b)
            .slice(0, MAX)
            .map(p => ({ a: p.a, b: p.b }))
        : [];
    } catch {
      return [];
    }
  }
}
