import { Notification } from '@jupyterlab/apputils';

// apputils' whole UI does not load in jsdom; the notifier only calls these four
jest.mock('@jupyterlab/apputils', () => ({
  Notification: { success: jest.fn(), warning: jest.fn(), error: jest.fn(), info: jest.fn() }
}));

import { degradeNotebook, restartLine } from '../cells';
import { BLOCKED_CLOSE_MS, DEFAULT_NOTIFY, GroupNotifier, groupMessage, SMALL_GROUP } from '../notify';
import { IJobRecord, JobStatus } from '../tokens';
import { makeJob } from './fakeServer';

function group(size: number, status: (i: number) => JobStatus, id = 'g1'): IJobRecord[] {
  return Array.from({ length: size }, (_, i) =>
    makeJob({
      id: `j${i}`,
      group: id,
      status: status(i),
      created: 100,
      updated: 102.5,
      timings: { submitted_at: 100, finished_at: 102.5 },
      circuit: { hash: 'h', name: `q${i}`, num_qubits: 2 }
    })
  );
}

describe('groupMessage', () => {
  it('says how many jobs finished and how long the group took', () => {
    expect(groupMessage(group(150, () => 'done'))).toEqual({ message: '150 jobs done in 2.50 s (group g1)', ok: true });
    expect(groupMessage(group(150, i => (i < 2 ? 'failed' : 'done')))?.message).toBe(
      '150 jobs: 148 done, 2 failed in 2.50 s (group g1)'
    );
  });

  it('is null while a job is active', () => {
    expect(groupMessage(group(10, i => (i === 3 ? 'running' : 'done')))).toBeNull();
  });
});

describe('GroupNotifier', () => {
  let success: jest.SpyInstance;
  let warning: jest.SpyInstance;
  let error: jest.SpyInstance;
  beforeEach(() => {
    jest.useFakeTimers();
    success = jest.spyOn(Notification, 'success');
    warning = jest.spyOn(Notification, 'warning');
    error = jest.spyOn(Notification, 'error');
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.clearAllMocks();
  });

  it('notifies a large group once, when its last job is done, and only its first failures by themselves', async () => {
    let jobs = group(150, () => 'running');
    const notifier = new GroupNotifier(
      async () => jobs,
      () => DEFAULT_NOTIFY
    );
    for (let i = 0; i < 150; i++) {
      jobs = jobs.map((j, k) => (k <= i ? { ...j, status: k < 5 ? 'failed' : 'done' } : j));
      await notifier.handle({ job: jobs[i], previous: 'running' });
    }
    await jest.advanceTimersByTimeAsync(1000);
    expect(error).toHaveBeenCalledTimes(3); // the first three failures
    expect(success).not.toHaveBeenCalled();
    expect(warning).toHaveBeenCalledTimes(1);
    expect(warning.mock.calls[0][0]).toBe('150 jobs: 145 done, 5 failed in 2.50 s (group g1)');
  });

  it('notifies each job of a small group, and a blocked one closes by itself', async () => {
    const jobs = group(SMALL_GROUP, i => (i === 0 ? 'blocked' : 'done'));
    const notifier = new GroupNotifier(
      async () => jobs,
      () => DEFAULT_NOTIFY
    );
    for (const job of jobs) {
      await notifier.handle({ job, previous: 'pending' });
    }
    expect(success).toHaveBeenCalledTimes(SMALL_GROUP - 1);
    expect(warning).toHaveBeenCalledWith(expect.stringContaining('blocked'), { autoClose: BLOCKED_CLOSE_MS });
  });
});

describe('a live view after a kernel restart', () => {
  it('says which jobs were interrupted, or what became of them', () => {
    const running = group(1, () => 'running', 'abcdef0123');
    expect(restartLine('abcdef0123', running)).toBe(
      'qhybrid-lab group abcdef01: the kernel restarted; this job was interrupted — see the sidebar.'
    );
    expect(
      restartLine(
        'g1',
        group(3, i => (i ? 'done' : 'interrupted'))
      )
    ).toContain('1 of 3 jobs were interrupted');
    expect(
      restartLine(
        'g1',
        group(2, () => 'done')
      )
    ).toContain('its 2 jobs had finished (2 done)');
    expect(restartLine('other', running)).toContain('this live view is gone');
  });

  it('says that a job its provider accepted goes on (the server adopts it), and a local one was interrupted', () => {
    const queued = group(1, () => 'queued', 'aws1').map(j => ({ ...j, provider_job_id: 'arn:aws:braket:task/1' }));
    expect(restartLine('aws1', queued)).toBe(
      'qhybrid-lab group aws1: the kernel restarted; this job goes on at its provider (the Jupyter server follows ' +
        'it) — see the sidebar.'
    );
    const mixed = group(3, () => 'running', 'mix1').map((j, i) => (i ? j : { ...j, provider_job_id: 'ibm-job-1' }));
    expect(restartLine('mix1', mixed)).toBe(
      'qhybrid-lab group mix1: the kernel restarted; 2 of 3 jobs were interrupted, 1 of 3 jobs go on at their ' +
        'provider (the Jupyter server follows them) — see the sidebar.'
    );
  });

  it('replaces only qhybrid-lab widget outputs of code cells', () => {
    const outputs = [
      { data: { 'application/vnd.jupyter.widget-view+json': {}, 'text/html': "<div data-qhybrid-group='abc1'>" } },
      { data: { 'application/vnd.jupyter.widget-view+json': {}, 'text/html': '<div>another widget</div>' } },
      { data: { 'text/plain': 'x' } }
    ];
    const set = jest.fn();
    const cells = [{ type: 'code', outputs: { length: 3, get: (i: number) => outputs[i], set } }];
    const panel = {
      sessionContext: { statusChanged: null as never, kernelChanged: null as never },
      content: { model: { cells } }
    };
    expect(
      degradeNotebook(
        panel,
        group(1, () => 'running', 'abc1')
      )
    ).toBe(1);
    expect(set).toHaveBeenCalledTimes(1);
    const [index, output] = set.mock.calls[0];
    expect(index).toBe(0);
    expect(output.data['text/plain']).toContain('this job was interrupted');
    expect(output.data).not.toHaveProperty(['application/vnd.jupyter.widget-view+json']);
  });
});
