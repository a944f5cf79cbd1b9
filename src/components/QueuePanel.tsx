import * as React from 'react';

import { basename, elapsedSeconds, formatClock, formatMoney, formatSeconds } from '../format';
import {
  filterChoices,
  groupName,
  groupProgress,
  isFiltered,
  pageRange,
  providerSummary,
  QueueRow,
  queueRows
} from '../queue';
import { sweepSize } from '../sweep';
import { ACTIVE_STATES, IJobRecord, IJobsTable, ITableGroup, ITableQuery, JobStatus } from '../tokens';
import { FallbackBadge } from './FallbackBadge';
import { StatusBadge } from './StatusBadge';

/** The states in the order of the status chips. */
const STATUSES: JobStatus[] = ['pending', 'queued', 'running', 'done', 'failed', 'cancelled', 'blocked', 'interrupted'];

const KINDS = ['simulator', 'emulator', 'hardware'];

/**
 * Props of the queue.
 */
export interface IQueuePanelProps {
  /** The server's jobs table (null until the first answer). */
  table: IJobsTable | null;
  query: ITableQuery;
  /** The newest jobs (for the filters' choices). */
  jobs: IJobRecord[];
  /** Groups the user opened (false) or closed (true); others follow their size. */
  toggled: ReadonlyMap<string, boolean>;
  /** Jobs and groups (`group:<id>`) a cancel was requested for (the button then says so). */
  cancelling: ReadonlySet<string>;
  /** Offset of the next page (null: this is the last), and whether there is a newer one. */
  older: number | null;
  hasNewer: boolean;
  onSelect: (id: string) => void;
  onCancel: (id: string) => void;
  onCancelGroup: (group: string) => void;
  onToggleGroup: (group: string, collapsed: boolean) => void;
  onQuery: (change: Partial<ITableQuery>) => void;
  onOlder: (offset: number) => void;
  onNewer: () => void;
}

/**
 * The Queue: the server's jobs table with every active job pinned on top, filters, search, groups and pages.
 */
export function QueuePanel(props: IQueuePanelProps): JSX.Element {
  const { table, query } = props;
  if (table === null) {
    return <div className="qh-QueuePanel qh-mod-empty">Reading the run log…</div>;
  }
  if (table.overall.total === 0) {
    return (
      <div className="qh-QueuePanel qh-mod-empty">
        No jobs yet. Run a cell with <code>%%qrun</code> (after <code>%load_ext qhybrid_lab</code>).
      </div>
    );
  }
  const rows = queueRows(table, props.toggled);
  const now = Date.now();
  const render = (row: QueueRow) =>
    row.type === 'group' ? (
      <GroupRow key={row.key} row={row} {...props} />
    ) : (
      <JobRow key={row.key} job={row.job} grouped={row.grouped} now={now} {...props} />
    );
  return (
    <div className="qh-QueuePanel">
      <QueueFilters {...props} />
      <ul className="qh-QueuePanel-list" aria-label="Jobs">
        {rows.active.length > 0 && (
          <li className="qh-QueuePanel-section" aria-label="Active jobs">
            Active · {table.counts.active}
            {table.counts.active > table.active.length && ` (${table.active.length} shown)`}
          </li>
        )}
        {rows.active.map(render)}
        {rows.active.length > 0 && rows.page.length > 0 && (
          <li className="qh-QueuePanel-section" aria-label="Finished jobs">
            Finished
          </li>
        )}
        {rows.page.map(render)}
      </ul>
      {rows.active.length === 0 && rows.page.length === 0 && (
        <div className="qh-QueuePanel-none">
          {isFiltered(query) ? 'No job matches these filters.' : 'No jobs on this page.'}
        </div>
      )}
      <div className="qh-QueuePanel-pager" aria-label="Pages">
        <button
          className="qh-QueuePanel-pageButton"
          disabled={!props.hasNewer}
          onClick={props.onNewer}
          aria-label="Newer jobs"
        >
          ‹ Newer
        </button>
        <span className="qh-QueuePanel-range">{pageRange(table)}</span>
        <button
          className="qh-QueuePanel-pageButton"
          disabled={props.older === null}
          onClick={() => props.older !== null && props.onOlder(props.older)}
          aria-label="Older jobs"
        >
          Older ›
        </button>
      </div>
    </div>
  );
}

/**
 * Search box, status chips with the server's counts, the other filters, and "clear finished".
 */
function QueueFilters(props: IQueuePanelProps): JSX.Element {
  const { table, query } = props;
  const [text, setText] = React.useState(query.q ?? '');
  const [open, setOpen] = React.useState(false);
  const onQuery = props.onQuery;
  React.useEffect(() => {
    if ((query.q ?? '') === text) {
      return;
    }
    const timer = setTimeout(() => onQuery({ q: text || null }), 250);
    return () => clearTimeout(timer);
  }, [text, query.q, onQuery]);
  const counts = table?.counts;
  const choices = filterChoices(table, props.jobs, query);
  const select = (key: 'backend' | 'kind' | 'notebook' | 'tag' | 'experiment', label: string, values: string[]) => (
    <label className="qh-QueuePanel-filter">
      <span>{label}</span>
      <select
        aria-label={`Filter by ${key}`}
        value={query[key] ?? ''}
        onChange={event => props.onQuery({ [key]: event.target.value || null })}
      >
        <option value="">any</option>
        {values.map(value => (
          <option key={value} value={value}>
            {key === 'notebook' ? basename(value) : value}
          </option>
        ))}
      </select>
    </label>
  );
  const others = (['backend', 'kind', 'notebook', 'tag', 'experiment'] as const).filter(k => query[k]).length;
  return (
    <div className="qh-QueuePanel-filters">
      <div className="qh-QueuePanel-searchLine">
        <input
          type="search"
          className="qh-QueuePanel-search"
          placeholder="Search name, id or tag"
          aria-label="Search jobs"
          value={text}
          onChange={event => setText(event.target.value)}
        />
        <button
          className={`qh-QueuePanel-toggle${open || others ? ' qh-mod-on' : ''}`}
          aria-expanded={open}
          aria-label="More filters"
          title="Filter by backend, kind, notebook, tag or experiment"
          onClick={() => setOpen(!open)}
        >
          Filters{others ? ` (${others})` : ''}
        </button>
      </div>
      {open && (
        <div className="qh-QueuePanel-filterGrid">
          {select('backend', 'Backend', choices.backend)}
          {select('kind', 'Kind', KINDS)}
          {select('notebook', 'Notebook', choices.notebook)}
          {select('tag', 'Tag', choices.tag)}
          {select('experiment', 'Experiment', choices.experiment)}
        </div>
      )}
      <div className="qh-QueuePanel-chips" role="group" aria-label="Status">
        <button
          className={`qh-QueuePanel-chip${query.status === null ? ' qh-mod-on' : ''}`}
          aria-pressed={query.status === null}
          onClick={() => props.onQuery({ status: null })}
        >
          all {counts?.total ?? 0}
        </button>
        {STATUSES.filter(s => (counts?.by_status[s] ?? 0) > 0 || query.status === s).map(status => (
          <button
            key={status}
            className={`qh-QueuePanel-chip qh-mod-${status}${query.status === status ? ' qh-mod-on' : ''}`}
            aria-pressed={query.status === status}
            aria-label={`Show ${status} jobs`}
            onClick={() => props.onQuery({ status: query.status === status ? null : status })}
          >
            {status} {counts?.by_status[status] ?? 0}
          </button>
        ))}
      </div>
      {query.finished_after !== null ? (
        <div className="qh-QueuePanel-cleared">
          Finished jobs before {formatClock(query.finished_after)} hidden (the run log keeps them).{' '}
          <button className="qh-QueuePanel-link" onClick={() => props.onQuery({ finished_after: null })}>
            Show them
          </button>
        </div>
      ) : (
        (counts?.total ?? 0) > (counts?.active ?? 0) && (
          <button
            className="qh-QueuePanel-link qh-QueuePanel-clear"
            title="Hide finished jobs from this view; the run log keeps them"
            onClick={() => props.onQuery({ finished_after: Date.now() / 1000 })}
          >
            Clear finished
          </button>
        )
      )}
    </div>
  );
}

/**
 * A group's row: "148/150 done", the rest by state, open/close, and cancel of its unfinished jobs.
 */
function GroupRow(props: IQueuePanelProps & { row: Extract<QueueRow, { type: 'group' }> }): JSX.Element {
  const group: ITableGroup = props.row.group;
  const name = groupName(group);
  const progress = groupProgress(group);
  const cancelling = props.cancelling.has(`group:${group.group}`);
  const percent = group.total ? (100 * group.finished) / group.total : 0;
  return (
    <li className="qh-QueuePanel-row qh-QueuePanel-group" aria-label={`Group ${name}`}>
      <button
        className="qh-QueuePanel-main"
        aria-expanded={!props.row.collapsed}
        aria-label={`${props.row.collapsed ? 'Open' : 'Close'} group ${name}`}
        title={`Group ${group.group}: ${props.row.collapsed ? 'show' : 'hide'} its jobs`}
        onClick={() => props.onToggleGroup(group.group, !props.row.collapsed)}
      >
        <span className="qh-QueuePanel-line">
          <span className="qh-QueuePanel-caret">{props.row.collapsed ? '▸' : '▾'}</span>
          <span className="qh-QueuePanel-name">{name}</span>
          <span className="qh-QueuePanel-progress">{progress.done}</span>
        </span>
        <span className="qh-QueuePanel-bar" aria-hidden="true">
          <span style={{ width: `${percent}%` }} />
        </span>
        <span className="qh-QueuePanel-line qh-QueuePanel-meta">
          {progress.rest && <span className="qh-QueuePanel-rest">{progress.rest}</span>}
          <span className="qh-QueuePanel-backend">{group.backends.join(', ')}</span>
          <span className="qh-QueuePanel-notebook">{basename(group.notebooks[0])}</span>
        </span>
      </button>
      {group.active > 0 && (
        <button
          className="jp-Button jp-mod-styled jp-mod-warn qh-QueuePanel-cancel"
          disabled={cancelling}
          aria-label={`Cancel group ${name}`}
          title={`Cancel the ${group.active} unfinished jobs of this group`}
          onClick={() => props.onCancelGroup(group.group)}
        >
          {cancelling ? 'Cancelling…' : `Cancel ${group.active}`}
        </button>
      )}
    </li>
  );
}

/**
 * One job: state, name, size and time; backend, kind and notebook; wider panels add shots, created, cost and the
 * provider's state.
 */
function JobRow(props: IQueuePanelProps & { job: IJobRecord; grouped: boolean; now: number }): JSX.Element {
  const job = props.job;
  const label = `${job.circuit?.name ?? 'circuit'} on ${job.backend.name}`;
  const active = ACTIVE_STATES.has(job.status);
  const points = sweepSize(job);
  const provider = providerSummary(job);
  const cost = job.cost?.actual ?? job.cost?.estimate;
  return (
    <li
      className={`qh-QueuePanel-row qh-mod-${job.status}${props.grouped ? ' qh-mod-grouped' : ''}`}
      aria-label={`Job ${label}`}
    >
      <button
        className="qh-QueuePanel-main"
        onClick={() => props.onSelect(job.id)}
        aria-label={`Show job ${label}`}
        title={`Job ${job.id}: show the full record`}
      >
        <span className="qh-QueuePanel-line">
          <StatusBadge status={job.status} />
          <span className="qh-QueuePanel-name" title={job.circuit?.name ?? ''}>
            {job.circuit?.name ?? '—'}
          </span>
          <span className="qh-QueuePanel-qubits">{job.circuit?.num_qubits ?? '?'} q</span>
          {points !== null && (
            <span className="qh-QueuePanel-points" title={`A sweep over ${points} parameter points`}>
              {points} pts
            </span>
          )}
          <FallbackBadge job={job} />
          <span className="qh-QueuePanel-right">
            <span className="qh-QueuePanel-col qh-mod-shots" title="Shots">
              {job.shots ?? '—'} shots
            </span>
            <span className="qh-QueuePanel-col qh-mod-created" title="Created">
              {formatClock(job.created)}
            </span>
            <span
              className="qh-QueuePanel-col qh-mod-cost"
              title={typeof job.cost?.actual === 'number' ? 'Cost' : 'Estimated cost'}
            >
              {formatMoney(cost, job.cost?.currency)}
            </span>
            <span className="qh-QueuePanel-time" title="Elapsed">
              {formatSeconds(elapsedSeconds(job, props.now))}
            </span>
          </span>
        </span>
        <span className="qh-QueuePanel-line qh-QueuePanel-meta">
          <span className="qh-QueuePanel-backend">{job.backend.name}</span>
          <span className={`qh-QueuePanel-kind qh-mod-${job.backend.kind}`}>{job.backend.kind}</span>
          {provider && (
            <span className="qh-QueuePanel-provider" title={job.provider_status?.message ?? 'Provider state'}>
              {provider}
            </span>
          )}
          <span className="qh-QueuePanel-notebook" title={job.origin?.notebook ?? ''}>
            {basename(job.origin?.notebook)}
          </span>
        </span>
        {job.blocked_reason && (
          <span className="qh-QueuePanel-reason" title={job.blocked_reason}>
            {job.blocked_reason}
          </span>
        )}
      </button>
      {active && (
        <button
          className="jp-Button jp-mod-styled jp-mod-warn qh-QueuePanel-cancel"
          disabled={props.cancelling.has(job.id)}
          aria-label={`Cancel job ${label}`}
          onClick={() => props.onCancel(job.id)}
        >
          {props.cancelling.has(job.id) ? '…' : 'Cancel'}
        </button>
      )}
    </li>
  );
}
