import {
  basename,
  elapsedSeconds,
  formatClock,
  formatMoney,
  formatNumber,
  formatOps,
  formatSeconds,
  formatSigned
} from '../format';
import { makeJob } from './fakeServer';

const UNKNOWN = '—';

describe('formatSeconds', () => {
  it.each([null, undefined, NaN, Infinity, -Infinity])('is an em dash for %p', value => {
    expect(formatSeconds(value)).toBe(UNKNOWN);
  });

  it('shows two decimals below 10 s', () => {
    expect(formatSeconds(0)).toBe('0.00 s');
    expect(formatSeconds(0.421)).toBe('0.42 s');
    expect(formatSeconds(0.426)).toBe('0.43 s');
    expect(formatSeconds(9.99)).toBe('9.99 s');
  });

  it('shows one decimal from 10 s to a minute', () => {
    expect(formatSeconds(10)).toBe('10.0 s');
    expect(formatSeconds(12.34)).toBe('12.3 s');
    expect(formatSeconds(59.94)).toBe('59.9 s');
  });

  it('shows minutes and zero-padded whole seconds from a minute on', () => {
    expect(formatSeconds(60)).toBe('1 min 00 s');
    expect(formatSeconds(245)).toBe('4 min 05 s');
    expect(formatSeconds(245.4)).toBe('4 min 05 s');
    expect(formatSeconds(3725)).toBe('62 min 05 s');
  });

  it('carries seconds that round up to 60 into the minutes', () => {
    expect(formatSeconds(119.6)).toBe('2 min 00 s');
    expect(formatSeconds(179.5)).toBe('3 min 00 s');
  });
});

describe('formatMoney', () => {
  it.each([null, undefined, NaN, Infinity])('is an em dash for %p', value => {
    expect(formatMoney(value)).toBe(UNKNOWN);
  });

  it('writes dollars with a leading $ and two decimals', () => {
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(1.6)).toBe('$1.60');
    expect(formatMoney(1234.5)).toBe('$1234.50');
    expect(formatMoney(0.01)).toBe('$0.01');
  });

  it('keeps four decimals for amounts under a cent, so they do not show as $0.00', () => {
    expect(formatMoney(0.004)).toBe('$0.0040');
    expect(formatMoney(0.00012)).toBe('$0.0001');
  });

  it('writes another currency after the amount', () => {
    expect(formatMoney(1.6, 'EUR')).toBe('1.60 EUR');
    expect(formatMoney(0.002, 'EUR')).toBe('0.0020 EUR');
    expect(formatMoney(null, 'EUR')).toBe(UNKNOWN);
  });
});

describe('formatNumber', () => {
  it.each([null, undefined, NaN, -Infinity])('is an em dash for %p', value => {
    expect(formatNumber(value)).toBe(UNKNOWN);
  });

  it('writes integers as they are and rounds other numbers to `digits` decimals (3 by default)', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(-7)).toBe('-7');
    expect(formatNumber(0.98765)).toBe('0.988');
    expect(formatNumber(0.5)).toBe('0.500');
    expect(formatNumber(0.98765, 1)).toBe('1.0');
    expect(formatNumber(2.25, 0)).toBe('2');
  });
});

describe('formatSigned', () => {
  it.each([null, undefined, NaN])('is an em dash for %p', value => {
    expect(formatSigned(value)).toBe(UNKNOWN);
  });

  it('puts + before a positive difference and a minus sign (U+2212) before a negative one', () => {
    expect(formatSigned(4)).toBe('+4');
    expect(formatSigned(-3)).toBe('\u22123');
    expect(formatSigned(-0.2, 1)).toBe('\u22120.2');
    expect(formatSigned(0.25, 1)).toBe('+0.3');
  });

  it('writes no sign for zero', () => {
    expect(formatSigned(0)).toBe('0');
    expect(formatSigned(0, 2)).toBe('0.00');
  });
});

describe('formatClock', () => {
  it('is an em dash when there is no time', () => {
    expect(formatClock(null)).toBe(UNKNOWN);
    expect(formatClock(undefined)).toBe(UNKNOWN);
    expect(formatClock(0)).toBe(UNKNOWN);
  });

  it('shows epoch seconds as the local clock time of that instant', () => {
    const epochSeconds = Date.UTC(2025, 2, 1, 14, 5, 9) / 1000;
    expect(formatClock(epochSeconds)).toBe(new Date(Date.UTC(2025, 2, 1, 14, 5, 9)).toLocaleTimeString());
    expect(formatClock(epochSeconds)).not.toBe(formatClock(epochSeconds + 60));
  });
});

describe('elapsedSeconds', () => {
  const created = 1_700_000_000;

  it('is the total time of a finished job', () => {
    const job = makeJob({ id: 'a', status: 'done', created, updated: created + 50, timings: { total: 12.5 } });
    expect(elapsedSeconds(job, (created + 1000) * 1000)).toBe(12.5);
  });

  it('is the time since creation while the job is active, even when it has a total', () => {
    for (const status of ['pending', 'queued', 'running'] as const) {
      const job = makeJob({ id: 'a', status, created, updated: created, timings: { total: 3 } });
      expect(elapsedSeconds(job, (created + 7.5) * 1000)).toBe(7.5);
    }
  });

  it('is never negative when the clock is behind the job', () => {
    const job = makeJob({ id: 'a', status: 'running', created, updated: created });
    expect(elapsedSeconds(job, (created - 30) * 1000)).toBe(0);
  });

  it('falls back to updated − created for a finished job without a total', () => {
    const noTimings = makeJob({ id: 'a', status: 'failed', created, updated: created + 4, timings: null });
    const nullTotal = makeJob({
      id: 'b',
      status: 'cancelled',
      created,
      updated: created + 6,
      timings: { total: null }
    });
    expect(elapsedSeconds(noTimings)).toBe(4);
    expect(elapsedSeconds(nullTotal)).toBe(6);
  });

  it('is null for a finished job with neither a total nor an update time', () => {
    const job = makeJob({ id: 'a', status: 'blocked', created, updated: 0, timings: undefined });
    expect(elapsedSeconds(job)).toBeNull();
  });
});

describe('basename', () => {
  it('is the last segment of a path', () => {
    expect(basename('notebooks/01-quickstart.ipynb')).toBe('01-quickstart.ipynb');
    expect(basename('a/b/c/deep.ipynb')).toBe('deep.ipynb');
    expect(basename('top.ipynb')).toBe('top.ipynb');
  });

  it('is an em dash without a path', () => {
    expect(basename(null)).toBe(UNKNOWN);
    expect(basename(undefined)).toBe(UNKNOWN);
    expect(basename('')).toBe(UNKNOWN);
  });
});

describe('formatOps', () => {
  it('lists op counts largest first, ties by name', () => {
    expect(formatOps({ h: 1, measure: 2, cx: 3 })).toBe('cx 3 · measure 2 · h 1');
    expect(formatOps({ rz: 2, cx: 2, barrier: 1 })).toBe('cx 2 · rz 2 · barrier 1');
  });

  it('is an em dash without ops, and empty for a circuit with none', () => {
    expect(formatOps(null)).toBe(UNKNOWN);
    expect(formatOps(undefined)).toBe(UNKNOWN);
    expect(formatOps({})).toBe('');
  });
});
