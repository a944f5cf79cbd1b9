import { countsAt, formatParameter, isSweepCounts, sweepSize } from '../sweep';
import { ICounts } from '../tokens';
import { makeJob } from './fakeServer';

const bell: ICounts = { '00': 510, '11': 490 };
const points: ICounts[] = [{ '0': 200 }, { '1': 200 }, { '0': 101, '1': 99 }];

describe('isSweepCounts', () => {
  it('is true for a list of counts (one per point), also a list of one', () => {
    expect(isSweepCounts(points)).toBe(true);
    expect(isSweepCounts([bell])).toBe(true);
    expect(isSweepCounts([])).toBe(true);
  });

  it('is false for the counts of a single run and for missing counts', () => {
    expect(isSweepCounts(bell)).toBe(false);
    expect(isSweepCounts({})).toBe(false);
    expect(isSweepCounts(null)).toBe(false);
    expect(isSweepCounts(undefined)).toBe(false);
  });
});

describe('countsAt', () => {
  it('is the counts of point `index` of a sweep, point 0 by default', () => {
    expect(countsAt(points)).toEqual(points[0]);
    expect(countsAt(points, 2)).toEqual(points[2]);
    expect(countsAt([bell], 0)).toEqual(bell);
  });

  it('is null for a point out of range and for an empty sweep', () => {
    expect(countsAt(points, 3)).toBeNull();
    expect(countsAt(points, -1)).toBeNull();
    expect(countsAt([], 0)).toBeNull();
  });

  it('is the counts themselves for a single run, whatever the index', () => {
    expect(countsAt(bell)).toBe(bell);
    expect(countsAt(bell, 5)).toBe(bell);
  });

  it('is null without counts', () => {
    expect(countsAt(null)).toBeNull();
    expect(countsAt(undefined, 1)).toBeNull();
  });
});

describe('sweepSize', () => {
  it('counts the parameter points of a sweep', () => {
    const job = makeJob({ id: 's', status: 'done', parameters: { names: ['theta'], values: [[0], [1.5], [3.1]] } });
    expect(sweepSize(job)).toBe(3);
  });

  it('is 1 for a sweep of one point', () => {
    const job = makeJob({ id: 's', status: 'done', parameters: { names: ['a', 'b'], values: [[0.1, 0.2]] } });
    expect(sweepSize(job)).toBe(1);
  });

  it('is 0 for a sweep over no points', () => {
    expect(sweepSize(makeJob({ id: 's', status: 'done', parameters: { names: ['t'], values: [] } }))).toBe(0);
  });

  it('prefers the parameters to the counts (a sweep still running has no counts yet)', () => {
    const running = makeJob({ id: 's', status: 'running', parameters: { names: ['t'], values: [[0], [1]] } });
    expect(sweepSize(running)).toBe(2);
    const mismatched = makeJob({
      id: 's',
      status: 'done',
      parameters: { names: ['t'], values: [[0], [1]] },
      result: { counts: [bell] }
    });
    expect(sweepSize(mismatched)).toBe(2);
  });

  it('falls back to the number of counts dicts when the parameters are missing', () => {
    expect(sweepSize(makeJob({ id: 's', status: 'done', parameters: null, result: { counts: points } }))).toBe(3);
    expect(sweepSize(makeJob({ id: 's', status: 'done', result: { counts: [bell] } }))).toBe(1);
  });

  it('is null for a job that is not a sweep', () => {
    expect(sweepSize(makeJob({ id: 'j', status: 'done', result: { counts: bell } }))).toBeNull();
    expect(sweepSize(makeJob({ id: 'j', status: 'done', result: null }))).toBeNull();
    expect(sweepSize(makeJob({ id: 'j', status: 'queued' }))).toBeNull();
  });
});

describe('formatParameter', () => {
  it('rounds to at most 4 decimals and drops trailing zeros', () => {
    expect(formatParameter(3.14159265)).toBe('3.1416');
    expect(formatParameter(0.123449)).toBe('0.1234');
    expect(formatParameter(1.5)).toBe('1.5');
    expect(formatParameter(1.50004)).toBe('1.5');
    expect(formatParameter(2)).toBe('2');
    expect(formatParameter(-0.25)).toBe('-0.25');
  });

  it('writes a value that rounds to zero as 0, without a sign', () => {
    expect(formatParameter(0.00001)).toBe('0');
    expect(formatParameter(-0.00004)).toBe('0');
  });

  it('is an em dash for a missing value', () => {
    expect(formatParameter(null)).toBe('—');
    expect(formatParameter(undefined)).toBe('—');
  });

  it('writes other values as text', () => {
    expect(formatParameter(NaN)).toBe('NaN');
    expect(formatParameter(Infinity)).toBe('Infinity');
    expect(formatParameter('theta')).toBe('theta');
  });
});
