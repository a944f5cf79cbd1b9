/**
 * The Queue's rows, pages and labels from a jobs table as `GET table` answers it.
 */
import {
  COLLAPSE_ABOVE,
  EMPTY_QUERY,
  filterChoices,
  groupName,
  groupProgress,
  isFiltered,
  nextOffset,
  pageRange,
  providerSummary,
  queueRows,
  tableParams
} from '../queue';
import { IJobRecord, IJobsTable, ITableGroup, JobStatus } from '../tokens';
import { makeJob } from './fakeServer';

function job(id: string, status: JobStatus, group: string, name = 'c'): IJobRecord {
  return makeJob({ id, status, group, circuit: { hash: 'h', name, num_qubits: 1 } });
}

function group(id: string, jobs: IJobRecord[], fields: Partial<ITableGroup> = {}): ITableGroup {
  const byStatus: Record<string, number> = {};
  jobs.forEach(j => (byStatus[j.status] = (byStatus[j.status] ?? 0) + 1));
  const active = jobs.filter(j => ['pending', 'queued', 'running'].includes(j.status)).length;
  return {
    group: id,
    submitted: 1,
    updated: 2,
    total: jobs.length,
    by_status: byStatus,
    done: byStatus.done ?? 0,
    active,
    finished: jobs.length - active,
    backends: ['aer'],
    kinds: ['simulator'],
    names: jobs.slice(0, 20).map(j => j.circuit.name),
    experiments: [],
    tags: [],
    notebooks: ['nb/a.ipynb'],
    offset: 0,
    matching: jobs.length,
    ...fields
  };
}

function table(fields: Partial<IJobsTable>): IJobsTable {
  return {
    page: [],
    active: [],
    groups: [],
    counts: { total: 0, active: 0, by_status: {} },
    overall: { total: 0, active: 0 },
    total: 0,
    limit: 50,
    offset: 0,
    next_offset: null,
    ...fields
  };
}

describe('queueRows', () => {
  it('pins the active jobs on top and shows every job once, the page without them', () => {
    // Given a long job (a group of one) and a newer batch of 3, one of them still running, on one page
    const long = job('long', 'running', 'g-long', 'slow');
    const batch = [job('b1', 'done', 'g-b'), job('b2', 'running', 'g-b'), job('b3', 'done', 'g-b')];
    const t = table({
      page: [...batch, long],
      active: [batch[1], long],
      groups: [group('g-b', batch), group('g-long', [long], { offset: 3 })]
    });
    // Then the active section has the batch's header, its running job and the long job; the page the rest
    const rows = queueRows(t, new Map());
    expect(rows.active.map(r => (r.type === 'group' ? `group ${r.group.group}` : r.job.id))).toEqual([
      'group g-b',
      'b2',
      'long'
    ]);
    expect(rows.page.map(r => (r.type === 'group' ? `group ${r.group.group}` : r.job.id))).toEqual([
      'group g-b',
      'b1',
      'b3'
    ]);
    // And a group of one has no header: its job is not indented
    const longRow = rows.active[2];
    expect(longRow.type === 'job' && longRow.grouped).toBe(false);
  });

  it('collapses large groups by default, and follows the user where they chose', () => {
    const jobs = Array.from({ length: COLLAPSE_ABOVE + 1 }, (_, i) => job(`j${i}`, 'done', 'big'));
    const small = [job('s1', 'done', 'small'), job('s2', 'done', 'small')];
    const t = table({ page: [...jobs, ...small], groups: [group('big', jobs), group('small', small)] });
    // By default: the big group is one row, the small one is open
    const rows = queueRows(t, new Map()).page;
    expect(rows.length).toBe(1 + 1 + 2);
    expect(rows[0].type === 'group' && rows[0].collapsed).toBe(true);
    // When the user opens the big group and closes the small one
    const chosen = queueRows(
      t,
      new Map([
        ['big', false],
        ['small', true]
      ])
    ).page;
    expect(chosen.filter(r => r.type === 'job').map(r => (r.type === 'job' ? r.job.id : ''))).toEqual(
      jobs.map(j => j.id)
    );
    expect(chosen[chosen.length - 1].type).toBe('group');
  });
  it('opens a large group that the filters narrow to a few jobs, unless the user closed it', () => {
    // Given a search that selects 1 job of a 150-job group (the group row counts all 150, matching 1)
    const hit = job('j149', 'done', 'big', 'q149');
    const big = group('big', [hit], { total: 150, matching: 1, offset: 0 });
    const t = table({ page: [hit], groups: [big], total: 1 });
    // Then the found job shows under its group's row, however large the group is
    const rows = queueRows(t, new Map()).page;
    expect(rows.map(r => (r.type === 'group' ? `group ${r.collapsed}` : r.job.id))).toEqual(['group false', 'j149']);
    // And a group only among the pinned jobs (matching null) follows its size
    const pinned = group('big', [hit], { total: 150, matching: null, offset: null });
    expect(queueRows(table({ active: [hit], groups: [pinned] }), new Map()).active[0]).toMatchObject({
      type: 'group',
      collapsed: true
    });
    // And the user's choice wins
    expect(queueRows(t, new Map([['big', true]])).page.length).toBe(1);
  });
});

describe('nextOffset', () => {
  it('pages on, and skips the rest of a collapsed group that runs past the page', () => {
    // Given a page of 50 starting a 150-job group that runs to offset 160
    const jobs = Array.from({ length: 50 }, (_, i) => job(`j${i}`, 'done', 'big'));
    const big = group('big', jobs, { total: 150, offset: 10, matching: 150 });
    const t = table({ page: jobs, groups: [big], total: 400, next_offset: 50 });
    // Then the next page starts after the collapsed group, or at 50 when it is open
    expect(nextOffset(t, new Map())).toBe(160);
    expect(nextOffset(t, new Map([['big', false]]))).toBe(50);
    // And there is no next page at the end of the table
    expect(nextOffset({ ...t, next_offset: null }, new Map())).toBeNull();
    expect(nextOffset({ ...t, total: 160 }, new Map())).toBeNull();
  });
});

describe('labels', () => {
  it('says how far a group is, and what is left', () => {
    const jobs = [
      ...Array.from({ length: 148 }, (_, i) => job(`d${i}`, 'done', 'g')),
      job('r1', 'running', 'g'),
      job('f1', 'failed', 'g')
    ];
    expect(groupProgress(group('g', jobs))).toEqual({ done: '148/150 done', rest: '1 failed · 1 running' });
  });

  it('names a group by its circuits', () => {
    const jobs = Array.from({ length: 150 }, (_, i) => job(`j${i}`, 'done', 'g', `c${i}`));
    expect(groupName(group('g', jobs))).toBe('c0, c1, c2, … (150 jobs)');
    expect(groupName(group('g', [job('a', 'done', 'g', 'bell'), job('b', 'done', 'g', 'bell')]))).toBe('bell (2 jobs)');
    expect(groupName(group('g', [job('a', 'done', 'g', 'bell'), job('b', 'done', 'g', 'ghz')]))).toBe('bell, ghz');
  });

  it('gives the range of the page', () => {
    const jobs = Array.from({ length: 50 }, (_, i) => job(`j${i}`, 'done', `g${i}`));
    expect(pageRange(table({ page: jobs, offset: 100, total: 100000 }))).toBe('101–150 of 100,000');
    expect(pageRange(table({}))).toBe('0 jobs');
  });

  it("shows the provider's state and queue position, nothing for a local job", () => {
    const queued = makeJob({
      id: 'p',
      status: 'queued',
      provider_status: { provider_state: 'QUEUED', queue_position: 2000, queue_position_text: '>2000' }
    });
    expect(providerSummary(queued)).toBe('QUEUED · position >2000');
    const ibm = makeJob({ id: 'i', status: 'queued', provider_status: { provider_state: 'QUEUED' } });
    expect(providerSummary(ibm)).toBe('QUEUED');
    expect(providerSummary(makeJob({ id: 'l', status: 'done' }))).toBeNull();
  });
});

describe('queries', () => {
  it('sends only the filters that are set, the search trimmed', () => {
    const params = tableParams({ ...EMPTY_QUERY, q: '  bell ', status: 'running', offset: 50 });
    expect(params).toEqual({
      status: 'running',
      backend: null,
      kind: null,
      notebook: null,
      tag: null,
      experiment: null,
      q: 'bell',
      finished_after: null,
      limit: 50,
      offset: 50
    });
    expect(tableParams({ ...EMPTY_QUERY, q: '   ' }).q).toBeNull();
    expect(isFiltered(EMPTY_QUERY)).toBe(false);
    expect(isFiltered({ ...EMPTY_QUERY, tag: 'x' })).toBe(true);
    expect(isFiltered({ ...EMPTY_QUERY, finished_after: 5 })).toBe(true);
  });

  it('offers the filter values the table and the newest jobs show, and keeps the chosen one', () => {
    const jobs = [
      makeJob({ id: 'a', status: 'done', tags: ['t1'], origin: { notebook: 'x/n.ipynb' } }),
      makeJob({ id: 'b', status: 'done', backend: { name: 'fake_torino', kind: 'emulator' }, experiment: 'vqe' })
    ];
    const t = table({ groups: [group('g', [], { backends: ['braket:local'], tags: ['t2'] })] });
    const choices = filterChoices(t, jobs, { ...EMPTY_QUERY, backend: 'ibm:fake_manila' });
    expect(choices.backend).toEqual(['aer', 'braket:local', 'fake_torino', 'ibm:fake_manila']);
    expect(choices.tag).toEqual(['t1', 't2']);
    expect(choices.notebook).toEqual(['nb/a.ipynb', 'x/n.ipynb']);
    expect(choices.experiment).toEqual(['vqe']);
  });
});
