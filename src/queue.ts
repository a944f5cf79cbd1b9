/**
 * The Queue's rows from the server's jobs table (`GET table`): pinned active jobs, the page, group rows; no DOM.
 */
import { ACTIVE_STATES, IJobRecord, IJobsTable, ITableGroup, ITableQuery } from './tokens';

/** Groups with more jobs than this start collapsed (a 150-circuit `%%qrun` is one row until opened). */
export const COLLAPSE_ABOVE = 10;

/** Rows per page of the Queue. */
export const PAGE_SIZE = 50;

/** The query of a Queue with no filter, on its first page. */
export const EMPTY_QUERY: ITableQuery = {
  status: null,
  backend: null,
  kind: null,
  notebook: null,
  tag: null,
  experiment: null,
  q: null,
  finished_after: null,
  offset: 0,
  limit: PAGE_SIZE
};

/** The filters of a query a user can set (everything but the page). */
export const FILTER_KEYS = ['status', 'backend', 'kind', 'notebook', 'tag', 'experiment', 'q'] as const;

/**
 * One row of the Queue: a group's header, or one job.
 */
export type QueueRow =
  | { type: 'group'; key: string; group: ITableGroup; collapsed: boolean }
  | { type: 'job'; key: string; job: IJobRecord; grouped: boolean };

/**
 * The group id of a record: its group, or its own id for a record without one (a group of one).
 */
export function groupOf(job: IJobRecord): string {
  return job.group || job.id;
}

/**
 * Whether a group's jobs are hidden under its row: the user's choice, else collapsed when the filters select many of
 * its jobs (a search that finds 1 of a 150-job group shows that job; a group only among the pinned jobs counts whole).
 */
export function isCollapsed(group: ITableGroup, toggled: ReadonlyMap<string, boolean>): boolean {
  return toggled.get(group.group) ?? (group.matching ?? group.total) > COLLAPSE_ABOVE;
}

/**
 * The rows of records already in table order: a header before each run of a group of more than one job
 * (its jobs hidden while collapsed); a group of one is just its job.
 */
export function rowsOf(
  jobs: IJobRecord[],
  groups: ReadonlyMap<string, ITableGroup>,
  toggled: ReadonlyMap<string, boolean>,
  section: string
): QueueRow[] {
  const rows: QueueRow[] = [];
  let current: string | null = null;
  let hidden = false;
  for (const job of jobs) {
    const id = groupOf(job);
    const group = groups.get(id);
    const grouped = group !== undefined && group.total > 1;
    if (id !== current) {
      current = id;
      hidden = false;
      if (grouped) {
        hidden = isCollapsed(group, toggled);
        rows.push({ type: 'group', key: `${section}:g:${id}`, group, collapsed: hidden });
      }
    }
    if (!hidden) {
      rows.push({ type: 'job', key: `${section}:${job.id}`, job, grouped });
    }
  }
  return rows;
}

/**
 * The Queue of one table: the pinned active jobs, then the page without them (each job shown once).
 */
export function queueRows(
  table: IJobsTable,
  toggled: ReadonlyMap<string, boolean>
): { active: QueueRow[]; page: QueueRow[] } {
  const groups = new Map(table.groups.map(g => [g.group, g]));
  const pinned = new Set(table.active.map(j => j.id));
  return {
    active: rowsOf(table.active, groups, toggled, 'active'),
    page: rowsOf(
      table.page.filter(j => !pinned.has(j.id) && !ACTIVE_STATES.has(j.status)),
      groups,
      toggled,
      'page'
    )
  };
}

/**
 * The offset of the next page, skipping the rest of a collapsed group that runs past this one; null at the end.
 */
export function nextOffset(table: IJobsTable, toggled: ReadonlyMap<string, boolean>): number | null {
  if (table.next_offset === null) {
    return null;
  }
  let next = table.next_offset;
  for (const group of table.groups) {
    if (group.offset !== null && group.matching !== null && isCollapsed(group, toggled) && group.total > 1) {
      const end = group.offset + group.matching;
      if (group.offset < next && end > next) {
        next = end;
      }
    }
  }
  return next < table.total ? next : null;
}

/**
 * A group's progress: "148/150 done", with what is not done yet ("2 running · 1 failed").
 */
export function groupProgress(group: ITableGroup): { done: string; rest: string } {
  const rest = Object.entries(group.by_status)
    .filter(([status, n]) => status !== 'done' && n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([status, n]) => `${n} ${status}`)
    .join(' · ');
  return { done: `${group.done}/${group.total} done`, rest };
}

/**
 * A group's name for its row: its circuit names ("bell, ghz", "bell (2 jobs)", "c0, c1, c2, … (150 jobs)").
 */
export function groupName(group: ITableGroup): string {
  const names = [...new Set(group.names)];
  if (names.length === 0) {
    return group.group.slice(0, 8);
  }
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', …' : '');
  return group.total > Math.min(names.length, 3) ? `${shown} (${group.total} jobs)` : shown;
}

/**
 * Whether a query filters anything (the page aside).
 */
export function isFiltered(query: ITableQuery): boolean {
  return FILTER_KEYS.some(key => query[key] !== null && query[key] !== '') || query.finished_after !== null;
}

/**
 * The query string parameters of `GET table` for a query (the search box is `q`).
 */
export function tableParams(query: ITableQuery): Record<string, string | number | null> {
  return {
    status: query.status,
    backend: query.backend,
    kind: query.kind,
    notebook: query.notebook,
    tag: query.tag,
    experiment: query.experiment,
    q: query.q?.trim() || null,
    finished_after: query.finished_after,
    limit: query.limit,
    offset: query.offset
  };
}

/**
 * "1–50 of 1,234": which rows of the table a page shows.
 */
export function pageRange(table: IJobsTable): string {
  if (table.total === 0) {
    return '0 jobs';
  }
  const first = Math.min(table.offset + 1, table.total);
  const last = Math.min(table.offset + table.page.length, table.total);
  return `${first.toLocaleString('en-US')}–${last.toLocaleString('en-US')} of ${table.total.toLocaleString('en-US')}`;
}

/**
 * The values a filter can take, from what the table and the newest jobs show (sorted, the chosen one kept).
 */
export function filterChoices(
  table: IJobsTable | null,
  jobs: IJobRecord[],
  query: ITableQuery
): Record<'backend' | 'notebook' | 'tag' | 'experiment', string[]> {
  const sets = {
    backend: new Set<string>(),
    notebook: new Set<string>(),
    tag: new Set<string>(),
    experiment: new Set<string>()
  };
  const records = [...jobs, ...(table?.page ?? []), ...(table?.active ?? [])];
  for (const job of records) {
    sets.backend.add(job.backend.name);
    if (job.origin?.notebook) {
      sets.notebook.add(job.origin.notebook);
    }
    (job.tags ?? []).forEach(t => sets.tag.add(t));
    if (job.experiment) {
      sets.experiment.add(job.experiment);
    }
  }
  for (const group of table?.groups ?? []) {
    group.backends.forEach(b => sets.backend.add(b));
    group.notebooks.forEach(n => n && sets.notebook.add(n));
    group.tags.forEach(t => sets.tag.add(t));
    group.experiments.forEach(e => e && sets.experiment.add(e));
  }
  const out = {} as Record<'backend' | 'notebook' | 'tag' | 'experiment', string[]>;
  for (const key of ['backend', 'notebook', 'tag', 'experiment'] as const) {
    const chosen = query[key];
    if (chosen) {
      sets[key].add(chosen);
    }
    out[key] = [...sets[key]].sort();
  }
  return out;
}

/**
 * What a provider says about a job, for its row: "QUEUED · position 12", ">2000", or null for a local job.
 */
export function providerSummary(job: IJobRecord): string | null {
  const status = job.provider_status;
  if (!status || !status.provider_state) {
    return null;
  }
  const parts = [status.provider_state];
  if (status.queue_position_text || typeof status.queue_position === 'number') {
    parts.push(`position ${status.queue_position_text ?? status.queue_position}`);
  }
  return parts.join(' · ');
}
