/**
 * JobsModel through its public API, against the browser's fetch answering as the REST API does, on Jest's fake
 * clock: every interval below is virtual time, so no test depends on how fast this machine is.
 */
import { ServerConnection } from '@jupyterlab/services';

import { JobsModel } from '../model';
import { IJobTransition } from '../tokens';
import { FakeServer, flush, makeJob, settle } from './fakeServer';

const START_MS = Date.UTC(2025, 2, 1, 12, 0, 0);
const START = START_MS / 1000;

let server: FakeServer;
let model: JobsModel;

/** Create the model under test (`afterEach` disposes of it). */
function createModel(options: Partial<JobsModel.IOptions> = {}): void {
  model = new JobsModel({ serverSettings: server.settings(), ...options });
}

/** Poll now and wait for that poll to finish. */
function poll(): Promise<void> {
  return settle(model.refresh());
}

/** Move the fake clock on, running the polls that fall due. */
async function elapse(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

/** The times (fake clock, ms) at which the model read the job list after `since`. */
function jobReads(since = -Infinity): number[] {
  return server
    .requestsTo('jobs')
    .filter(r => r.at > since)
    .map(r => r.at);
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]);
}

function finishedEvents(): IJobTransition[] {
  const events: IJobTransition[] = [];
  model.jobFinished.connect((_, t) => events.push(t));
  return events;
}

function changedCount(): { count: number } {
  const counter = { count: 0 };
  model.changed.connect(() => (counter.count += 1));
  return counter;
}

function setTabVisibility(state: 'visible' | 'hidden'): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

beforeEach(() => {
  jest.useFakeTimers({ now: START_MS });
  server = new FakeServer();
});

afterEach(() => {
  model?.dispose();
  setTabVisibility('visible');
  jest.restoreAllMocks();
  jest.useRealTimers();
});

describe('JobsModel polling', () => {
  it('reads the API root, the newest page of jobs, the budgets and the comparisons on its first poll', async () => {
    server.jobs = [
      makeJob({ id: 'b', status: 'running', created: START - 1 }),
      makeJob({ id: 'a', status: 'done', created: START - 60 })
    ];
    server.total = 7;
    server.budgets = {
      budgets: [{ limit: 5, period: 'day', backend: null, currency: 'USD', spent: 1.25 }],
      rehearse: false,
      blocked: []
    };
    server.compare = [{ circuit_hash: 'h-bell', circuit_name: 'bell', num_qubits: 2, runs: [], pairs: [] }];
    createModel({ pageSize: 50 });
    const changed = changedCount();

    await poll();

    expect(server.requests.map(r => `${r.method} ${r.endpoint}`)).toEqual([
      'GET ',
      'GET jobs',
      'GET budgets',
      'GET compare'
    ]);
    expect(server.requestsTo('jobs')[0].query).toEqual({ brief: '1', limit: '50' });
    expect(model.jobs.map(j => j.id)).toEqual(['b', 'a']);
    expect(model.total).toBe(7);
    expect(model.budgets).toEqual(server.budgets);
    expect(model.compare).toEqual(server.compare);
    expect(model.error).toBeNull();
    expect(model.serverMissing).toBe(false);
    expect(changed.count).toBe(1);
  });

  it('reads the page size of 100 newest jobs by default', async () => {
    createModel();
    await poll();
    expect(server.requestsTo('jobs')[0].query.limit).toBe('100');
  });

  it('re-reads budgets and comparisons when the jobs changed, else every SLOW_EVERY polls', async () => {
    server.jobs = [makeJob({ id: 'a', status: 'done', created: START - 60 })];
    createModel();
    const budgetReads = () => server.requestsTo('budgets').length;
    await poll();
    expect(budgetReads()).toBe(1);

    // Given unchanged jobs, polls 2 to 4 read only the job list.
    for (let i = 2; i < JobsModel.SLOW_EVERY; i++) {
      await poll();
    }
    expect(budgetReads()).toBe(1);
    expect(server.requestsTo('compare')).toHaveLength(1);
    // Poll 5 re-reads them anyway.
    await poll();
    expect(budgetReads()).toBe(2);
    expect(server.requestsTo('compare')).toHaveLength(2);

    // A changed job (its `updated` moved) makes the next poll re-read them.
    server.jobs = [{ ...server.jobs[0], updated: START + 5 }];
    await poll();
    expect(budgetReads()).toBe(3);
    await poll();
    expect(budgetReads()).toBe(3);
  });

  it('emits changed when the jobs changed, on every poll while a job is active, and not on an idle poll', async () => {
    server.jobs = [makeJob({ id: 'a', status: 'done', created: START - 60 })];
    createModel();
    await poll();
    const changed = changedCount();

    await poll();
    expect(changed.count).toBe(0);

    server.jobs = [makeJob({ id: 'b', status: 'queued', created: START }), ...server.jobs];
    await poll();
    expect(changed.count).toBe(1);
    expect(model.jobs.map(j => j.id)).toEqual(['b', 'a']);

    // Unchanged, but active: its elapsed time moves, so the sidebar re-renders.
    await poll();
    expect(changed.count).toBe(2);
  });

  it('the total comes from the server, not from the length of the page', async () => {
    server.jobs = [makeJob({ id: 'a', status: 'done' })];
    server.total = 12345;
    createModel({ pageSize: 1 });
    await poll();
    expect(model.jobs).toHaveLength(1);
    expect(model.total).toBe(12345);
  });
});

describe('JobsModel jobFinished', () => {
  it('does not raise for jobs the first poll finds, even finished ones created just now', async () => {
    server.jobs = [
      makeJob({ id: 'new', status: 'done', created: START }),
      makeJob({ id: 'old', status: 'failed', created: START - 3600 })
    ];
    createModel();
    const events = finishedEvents();
    await poll();
    await poll();
    expect(events).toEqual([]);
  });

  it('raises once, with the previous state, for a job seen active that is final at the next poll', async () => {
    server.jobs = [makeJob({ id: 'a', status: 'running', created: START })];
    createModel();
    const events = finishedEvents();
    await poll();
    expect(events).toEqual([]);

    const done = { ...server.jobs[0], status: 'done' as const, updated: START + 3 };
    server.jobs = [done];
    await poll();
    expect(events).toEqual([{ job: done, previous: 'running' }]);

    await poll();
    expect(events).toHaveLength(1);
  });

  it.each(['done', 'failed', 'cancelled', 'blocked', 'interrupted'] as const)('counts %s as finished', async status => {
    server.jobs = [makeJob({ id: 'a', status: 'pending', created: START })];
    createModel();
    const events = finishedEvents();
    await poll();
    server.jobs = [{ ...server.jobs[0], status }];
    await poll();
    expect(events.map(e => [e.job.status, e.previous])).toEqual([[status, 'pending']]);
  });

  it('does not raise for a change between active states', async () => {
    server.jobs = [makeJob({ id: 'a', status: 'pending', created: START })];
    createModel();
    const events = finishedEvents();
    await poll();
    server.jobs = [{ ...server.jobs[0], status: 'queued' }];
    await poll();
    server.jobs = [{ ...server.jobs[0], status: 'running' }];
    await poll();
    expect(events).toEqual([]);

    server.jobs = [{ ...server.jobs[0], status: 'failed' }];
    await poll();
    expect(events.map(e => e.previous)).toEqual(['running']);
  });

  it('raises for a job first seen already finished when it was created after the model started (5 s of grace)', async () => {
    createModel();
    const events = finishedEvents();
    await poll();

    await elapse(20_000);
    // Given three jobs that appear between two polls, all finished: one created after the model started,
    // one 4 s before it started (within the grace), one a minute before (an old job, not news).
    const fresh = makeJob({ id: 'fresh', status: 'done', created: START + 15 });
    const justBefore = makeJob({ id: 'just-before', status: 'done', created: START - 4 });
    const old = makeJob({ id: 'old', status: 'done', created: START - 60 });
    const active = makeJob({ id: 'active', status: 'running', created: START + 16 });
    server.jobs = [active, fresh, justBefore, old];
    await poll();

    expect(events).toEqual([
      { job: fresh, previous: null },
      { job: justBefore, previous: null }
    ]);
  });

  it('raises for a job that finished while the poll was failing, once the poll succeeds', async () => {
    server.jobs = [makeJob({ id: 'a', status: 'running', created: START })];
    createModel();
    const events = finishedEvents();
    await poll();
    server.failures.set('jobs', 'network');
    await poll();
    server.jobs = [{ ...server.jobs[0], status: 'done' }];
    await poll();
    expect(events).toEqual([]);

    server.failures.delete('jobs');
    await poll();
    expect(events.map(e => [e.job.id, e.previous])).toEqual([['a', 'running']]);
  });
});

describe('JobsModel server missing and errors', () => {
  it('a 404 at the API root means the server extension is missing: no error text, no job read', async () => {
    server.failures.set('', { status: 404, body: '<html>404: Not Found</html>' });
    createModel();
    const changed = changedCount();
    await poll();

    expect(model.serverMissing).toBe(true);
    expect(model.error).toBeNull();
    expect(changed.count).toBe(1);
    expect(server.requestsTo('jobs')).toEqual([]);
  });

  it('asks the API root again on every poll until the server extension answers', async () => {
    server.failures.set('', { status: 404 });
    createModel();
    await poll();
    await poll();
    expect(server.requestsTo('')).toHaveLength(2);

    server.failures.delete('');
    server.jobs = [makeJob({ id: 'a', status: 'done' })];
    const changed = changedCount();
    await poll();
    expect(model.serverMissing).toBe(false);
    expect(model.jobs.map(j => j.id)).toEqual(['a']);
    expect(changed.count).toBe(1);

    await poll();
    expect(server.requestsTo('')).toHaveLength(3);
  });

  it('a 404 of another endpoint is an error, not a missing server extension', async () => {
    server.failures.set('jobs', { status: 404, body: JSON.stringify({ message: 'no run log at /tmp/x' }) });
    createModel();
    await poll();
    expect(model.serverMissing).toBe(false);
    expect(model.error).toBe('Cannot read the run log: no run log at /tmp/x');
  });

  it('an HTTP error without a JSON message shows its status', async () => {
    server.failures.set('jobs', { status: 500, body: '<html>Internal Server Error</html>' });
    createModel();
    await poll();
    expect(model.error).toBe('Cannot read the run log: 500 Failed');
  });

  it('a failing budget read is an error too, and the jobs of that poll are not half-applied', async () => {
    server.jobs = [makeJob({ id: 'a', status: 'done' })];
    server.failures.set('budgets', { status: 503, body: JSON.stringify({ message: 'run log locked' }) });
    createModel();
    await poll();
    expect(model.error).toBe('Cannot read the run log: run log locked');
    expect(model.jobs).toEqual([]);
    expect(model.budgets).toBeNull();
  });

  it('a network failure says the server cannot be reached and keeps the last jobs shown', async () => {
    server.jobs = [makeJob({ id: 'a', status: 'done' })];
    createModel();
    await poll();

    server.failures.set('jobs', 'network');
    const changed = changedCount();
    await poll();
    expect(model.error).toBe('The Jupyter server cannot be reached; retrying.');
    expect(model.serverMissing).toBe(false);
    expect(model.jobs.map(j => j.id)).toEqual(['a']);
    expect(changed.count).toBe(1);

    // The jobs did not change, but the error went away: the sidebar must re-render.
    server.failures.delete('jobs');
    await poll();
    expect(model.error).toBeNull();
    expect(changed.count).toBe(2);
  });

  it('backs off while the server fails, up to 30 s, and returns to its interval once it answers', async () => {
    // Lumino's backoff picks each wait at random between the interval and 3 times the last wait: take the longest.
    jest.spyOn(Math, 'random').mockReturnValue(0.999999);
    server.pollInterval = 1;
    createModel();
    model.visible = true;
    await poll();
    await elapse(3000);
    expect(gaps(jobReads())).toEqual([1000, 1000, 1000]);

    // When the server fails, then ...
    server.failures.set('jobs', { status: 500 });
    let since = Date.now();
    await elapse(120_000);
    const failing = gaps(jobReads(since));
    // ... each wait is longer than the one before until it reaches the 30 s cap, and never exceeds it.
    expect(failing[0]).toBeGreaterThan(1000);
    for (let i = 1; i < failing.length; i++) {
      expect(failing[i]).toBeGreaterThanOrEqual(failing[i - 1]);
    }
    expect(Math.max(...failing)).toBe(30_000);
    expect(failing.filter(g => g === 30_000).length).toBeGreaterThanOrEqual(2);
    expect(model.error).toBe('Cannot read the run log: 500 Failed');

    server.failures.delete('jobs');
    since = Date.now();
    await elapse(30_000 + 5000);
    expect(model.error).toBeNull();
    expect(gaps(jobReads(since)).slice(-3)).toEqual([1000, 1000, 1000]);
  });
});

describe('JobsModel interval, visibility and standby', () => {
  it("takes the server's poll_interval hint, which the user's setting overrides; never below 250 ms", async () => {
    server.pollInterval = 2;
    createModel({ interval: 5000 });
    expect(model.interval).toBe(5000);
    await poll();
    expect(model.interval).toBe(2000);

    model.userInterval = 500;
    expect(model.interval).toBe(500);
    model.userInterval = 100;
    expect(model.interval).toBe(250);
    expect(model.userInterval).toBe(100);
    model.userInterval = null;
    expect(model.interval).toBe(2000);
  });

  it('polls every second when the server gives no hint', async () => {
    server.pollInterval = undefined;
    createModel({ interval: 5000 });
    await poll();
    expect(model.interval).toBe(1000);
  });

  it('while the sidebar is visible, reads the jobs every interval', async () => {
    server.pollInterval = 2;
    createModel();
    model.visible = true;
    await poll();
    await elapse(20_000);
    expect(gaps(jobReads())).toEqual(Array(10).fill(2000));
  });

  it('while the sidebar is hidden and no job is active, slows to HIDDEN_INTERVAL; an active job speeds it up', async () => {
    server.jobs = [makeJob({ id: 'a', status: 'done', created: START - 60 })];
    createModel();
    expect(model.visible).toBe(false);
    await poll();
    await elapse(30_000);
    expect(gaps(jobReads())).toEqual([10_000, 10_000, 10_000]);

    // A job starts: the next slow poll sees it, and from then on the model polls at its interval.
    server.jobs = [makeJob({ id: 'b', status: 'running', created: START + 30 }), ...server.jobs];
    let since = Date.now();
    await elapse(15_000);
    expect(gaps(jobReads(since)).slice(-4)).toEqual([1000, 1000, 1000, 1000]);

    // It finishes: the model slows down again.
    server.jobs = [{ ...server.jobs[0], status: 'done' }, server.jobs[1]];
    await elapse(1000);
    since = Date.now();
    await elapse(30_000);
    expect(gaps(jobReads(since))).toEqual([10_000, 10_000]);
  });

  it('showing the sidebar polls at once, then every interval', async () => {
    createModel();
    await poll();
    await elapse(2000);
    const before = server.requestsTo('jobs').length;

    model.visible = true;
    await flush();
    expect(server.requestsTo('jobs').length).toBe(before + 1);
    const since = Date.now();
    await elapse(3000);
    expect(gaps(jobReads(since))).toEqual([1000, 1000]);

    model.visible = true; // no change: no extra poll
    await flush();
    expect(server.requestsTo('jobs').length).toBe(before + 4);
  });

  it('with notifications off, a hidden sidebar stands by: no request at all until it is shown', async () => {
    createModel();
    model.watchWhileHidden = false;
    await elapse(60_000);
    expect(server.requests).toEqual([]);

    model.visible = true;
    await flush();
    expect(server.requestsTo('jobs')).toHaveLength(1);
    expect(model.watchWhileHidden).toBe(false);
  });

  it('stands by while the browser tab is hidden (after one lingering poll) and resumes when it is shown', async () => {
    createModel();
    model.visible = true;
    await poll();
    await elapse(2000);

    setTabVisibility('hidden');
    const before = server.requestsTo('jobs').length;
    await elapse(60_000);
    expect(server.requestsTo('jobs').length - before).toBeLessThanOrEqual(1);

    setTabVisibility('visible');
    const hidden = server.requestsTo('jobs').length;
    await elapse(5000);
    expect(server.requestsTo('jobs').length - hidden).toBeGreaterThanOrEqual(4);
  });
});

describe('JobsModel actions', () => {
  beforeEach(() => {
    server.jobs = [makeJob({ id: 'a b/c', status: 'running', created: START })];
    createModel();
  });

  it('getJob reads one full record by its (encoded) id', async () => {
    const job = await settle(model.getJob('a b/c'));
    expect(job.id).toBe('a b/c');
    expect(server.requests.map(r => r.endpoint)).toContain('jobs/a%20b%2Fc');
  });

  it("getJob rejects with the server's message for an unknown id", async () => {
    const error = await settle(model.getJob('nope')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerConnection.ResponseError);
    expect((error as Error).message).toBe('no such job');
  });

  it('cancel posts to the job and polls at once', async () => {
    await poll();
    const reads = server.requestsTo('jobs').length;
    await settle(model.cancel('a b/c'));
    await flush();
    expect(server.requests.filter(r => r.method === 'POST').map(r => r.endpoint)).toEqual(['jobs/a%20b%2Fc/cancel']);
    expect(server.requestsTo('jobs').length).toBe(reads + 1);
  });

  it('setBudget puts the budget and shows the answer at once', async () => {
    await poll();
    const changed = changedCount();
    await settle(model.setBudget({ limit: 5, period: 'day', backend: 'fake_torino' }));
    const put = server.requests.find(r => r.method === 'PUT')!;
    expect(put.endpoint).toBe('budgets');
    expect(JSON.parse(put.body)).toEqual({ limit: 5, period: 'day', backend: 'fake_torino' });
    expect(model.budgets?.budgets).toEqual([{ limit: 5, period: 'day', backend: 'fake_torino', currency: 'USD' }]);
    expect(changed.count).toBe(1);
  });

  it('removeBudget deletes by period and backend (none for a budget on all backends)', async () => {
    server.budgets = {
      budgets: [
        { limit: 5, period: 'day', backend: null, currency: 'USD' },
        { limit: 9, period: 'total', backend: 'aer', currency: 'USD' }
      ],
      rehearse: false,
      blocked: []
    };
    await poll();
    const changed = changedCount();
    await settle(model.removeBudget('day', null));
    await settle(model.removeBudget('total', 'aer'));
    const deletes = server.requests.filter(r => r.method === 'DELETE');
    expect(deletes.map(r => r.query)).toEqual([{ period: 'day' }, { period: 'total', backend: 'aer' }]);
    expect(model.budgets?.budgets).toEqual([]);
    expect(changed.count).toBe(2);
  });

  it('a failing action rejects with the server message and leaves the budgets as they were', async () => {
    await poll();
    const before = model.budgets;
    server.failures.set('budgets', { status: 400, body: JSON.stringify({ message: 'limit must be positive' }) });
    const error = await settle(model.setBudget({ limit: -1, period: 'day', backend: null })).catch((e: unknown) => e);
    expect((error as Error).message).toBe('limit must be positive');
    expect(model.budgets).toBe(before);
  });

  it('dispose stops polling', async () => {
    await poll();
    model.dispose();
    expect(model.isDisposed).toBe(true);
    const count = server.requests.length;
    await elapse(60_000);
    expect(server.requests.length).toBe(count);
  });
});

describe('JobsModel jobs table', () => {
  /** A long running job, then `n` newer quick ones, all done: the newest first in `server.jobs`. */
  function longThenQuick(n: number): void {
    const quick = Array.from({ length: n }, (_, i) =>
      makeJob({ id: `q${i}`, group: `g${i}`, status: 'done', created: START - 1 - i / 1000 })
    );
    server.jobs = [...quick, makeJob({ id: 'long', group: 'g-long', status: 'running', created: START - 60 })];
  }

  it('reads the table only while the sidebar is visible, with the query the Queue set', async () => {
    createModel();
    await poll();
    expect(server.requestsTo('table')).toHaveLength(0);
    expect(model.table).toBeNull();
    model.visible = true;
    await flush();
    expect(server.requestsTo('table')[0].query).toEqual({ limit: '50', offset: '0' });
    model.setTableQuery({ status: 'failed', q: ' bell ', backend: 'fake_torino', finished_after: START });
    await flush();
    const last = server.requestsTo('table').slice(-1)[0];
    expect(last.query).toEqual({
      status: 'failed',
      q: 'bell',
      backend: 'fake_torino',
      finished_after: String(START),
      limit: '50',
      offset: '0'
    });
  });

  it('counts the active jobs of the whole run log, not of the newest page: a long job behind 150 quick ones', async () => {
    // Given a long job followed by 150 quick ones (the newest 100 are all done)
    longThenQuick(150);
    createModel();
    model.visible = true;
    await poll();
    // Then the header's count and the pinned list come from the server's table
    expect(model.jobs.some(j => j.id === 'long')).toBe(false);
    expect(model.activeCount).toBe(1);
    expect(model.logTotal).toBe(151);
    expect(model.table?.active.map(j => j.id)).toEqual(['long']);
  });

  it('keeps polling at the visible interval while only a pinned job is active', async () => {
    longThenQuick(150);
    createModel();
    model.visible = true;
    await poll();
    model.visible = false;
    const since = Date.now();
    await elapse(5_000);
    expect(jobReads(since).length).toBeGreaterThanOrEqual(4);
  });

  it('drops an answer to a query the Queue changed while it was in flight', async () => {
    longThenQuick(3);
    createModel();
    model.visible = true;
    await poll();
    // When the query changes while a table read is under way
    let release: () => void = () => undefined;
    const gate = new Promise<void>(resolve => (release = resolve));
    const fetch = server.fetch.getMockImplementation()!;
    server.fetch.mockImplementationOnce(async (input, init) => {
      await gate;
      return fetch(input, init);
    });
    const inflight = model.refresh();
    await flush();
    model.setTableQuery({ status: 'running' });
    release();
    await settle(inflight);
    await flush();
    // Then the table shown is the answer to the new query
    expect(model.tableQuery.status).toBe('running');
    expect(model.table?.page.map(j => j.id)).toEqual(['long']);
  });

  it('setTableQuery goes back to the first page unless it moves the page', async () => {
    createModel();
    model.setTableQuery({ offset: 100 });
    expect(model.tableQuery.offset).toBe(100);
    model.setTableQuery({ tag: 'x' });
    expect(model.tableQuery).toMatchObject({ tag: 'x', offset: 0 });
  });

  it('cancelGroup posts to the group, returns how many were asked to cancel, and polls at once', async () => {
    server.jobs = [
      makeJob({ id: 'a', group: 'g 1', status: 'running' }),
      makeJob({ id: 'b', group: 'g 1', status: 'done' })
    ];
    createModel();
    await poll();
    const reads = server.requestsTo('jobs').length;
    const requested = await settle(model.cancelGroup('g 1'));
    await flush();
    expect(requested).toBe(1);
    expect(server.requests.filter(r => r.method === 'POST').map(r => r.endpoint)).toEqual(['groups/g%201/cancel']);
    expect(server.requestsTo('jobs').length).toBe(reads + 1);
  });
});
