import { ServerConnection } from '@jupyterlab/services';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { EMPTY_QUERY, tableParams } from './queue';
import { query, requestAPI, ServerExtensionMissing } from './request';
import {
  ACTIVE_STATES,
  IBudgetState,
  ICandidates,
  ICompareGroup,
  ICompareSource,
  IComparison,
  IJobRecord,
  IJobsModel,
  IJobsTable,
  IJobTransition,
  ITableQuery
} from './tokens';

/**
 * Polls the qhybrid-lab REST API and holds what the sidebar shows; no DOM.
 *
 * Jobs are read every `interval` ms (a state change shows within about one interval); budgets and
 * comparisons are re-read only when the jobs changed, or every few polls. The poll backs off on errors,
 * stands by while the browser tab is hidden, and while the sidebar is hidden it either stands by
 * (notifications off) or slows down to `hiddenInterval` unless jobs are active.
 *
 * While the sidebar is visible each poll also reads the Queue's jobs table (`GET table` with `tableQuery`):
 * the server filters, orders and pages it, pins every active job and counts them.
 */
export class JobsModel implements IJobsModel, ICompareSource {
  constructor(options: JobsModel.IOptions) {
    this._settings = options.serverSettings;
    this._pageSize = options.pageSize ?? 100;
    this._interval = options.interval ?? 1000;
    this._poll = new Poll({
      auto: true,
      factory: () => this._tick(),
      frequency: { interval: this._interval, backoff: true, max: 30 * 1000 },
      name: 'qhybrid-lab:jobs',
      standby: () => this._standby()
    });
  }

  get jobs(): IJobRecord[] {
    return this._jobs;
  }
  get total(): number {
    return this._total;
  }
  /** The Queue's jobs table for `tableQuery` (null until read). */
  get table(): IJobsTable | null {
    return this._table;
  }
  /** What the Queue shows: filters, search, "clear finished" and the page. */
  get tableQuery(): ITableQuery {
    return this._tableQuery;
  }
  /** How many jobs are active in the whole run log (the server's count, not one page's). */
  get activeCount(): number {
    return this._table?.overall.active ?? this._jobs.filter(j => ACTIVE_STATES.has(j.status)).length;
  }
  /** How many jobs the run log holds in all. */
  get logTotal(): number {
    return this._table?.overall.total ?? this._total;
  }

  /**
   * Change what the Queue shows (the table is read again at once). The page goes back to the first one
   * unless `offset` is given.
   */
  setTableQuery(change: Partial<ITableQuery>): void {
    this._tableQuery = { ...this._tableQuery, offset: 0, ...change };
    this._tableSeq += 1;
    void this._readTable();
  }

  /** Read the table for the current query now (outside the poll); a later query's answer wins. */
  private async _readTable(): Promise<void> {
    const seq = this._tableSeq;
    try {
      const table = await requestAPI<IJobsTable>(`table${query(tableParams(this._tableQuery))}`, {}, this._settings);
      if (seq === this._tableSeq) {
        this._table = table;
        this._changed.emit();
      }
    } catch {
      // the poll reads it again and reports what fails
    }
  }

  get budgets(): IBudgetState | null {
    return this._budgets;
  }
  get compare(): ICompareGroup[] {
    return this._compare;
  }
  get error(): string | null {
    return this._error;
  }
  get serverMissing(): boolean {
    return this._serverMissing;
  }
  get changed(): ISignal<IJobsModel, void> {
    return this._changed;
  }
  get jobFinished(): ISignal<IJobsModel, IJobTransition> {
    return this._jobFinished;
  }
  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  get visible(): boolean {
    return this._visible;
  }
  set visible(value: boolean) {
    if (value === this._visible) {
      return;
    }
    this._visible = value;
    this._updateFrequency();
    if (value) {
      void this._poll.refresh();
    }
  }

  /**
   * Keep polling (slowly) while the sidebar is hidden, so finished jobs can be notified.
   */
  get watchWhileHidden(): boolean {
    return this._watchWhileHidden;
  }
  set watchWhileHidden(value: boolean) {
    this._watchWhileHidden = value;
    this._updateFrequency();
  }

  /**
   * The poll interval (ms) while the sidebar is visible or jobs are active.
   */
  get interval(): number {
    return this._interval;
  }

  /**
   * The user's `pollInterval` setting (ms), or null to follow the server's hint (`QHybridLabServer.poll_interval`).
   */
  get userInterval(): number | null {
    return this._userInterval;
  }
  set userInterval(value: number | null) {
    this._userInterval = value;
    this._applyInterval();
  }

  private _applyInterval(): void {
    const ms = this._userInterval ?? (this._serverInterval ?? 1) * 1000;
    this._interval = Math.max(250, ms);
    this._updateFrequency();
  }

  async refresh(): Promise<void> {
    await this._poll.refresh();
    await this._poll.tick;
  }

  getJob(id: string): Promise<IJobRecord> {
    return requestAPI<IJobRecord>(`jobs/${encodeURIComponent(id)}`, {}, this._settings);
  }

  async comparePair(a: string, b: string): Promise<IComparison> {
    const answer = await requestAPI<{ comparison: IComparison }>(`compare/pair${query({ a, b })}`, {}, this._settings);
    return answer.comparison;
  }

  compareCandidates(job: string): Promise<ICandidates> {
    return requestAPI<ICandidates>(`compare/candidates${query({ job })}`, {}, this._settings);
  }

  async searchRuns(text: string): Promise<IJobRecord[]> {
    const page = await requestAPI<{ jobs: IJobRecord[] }>(
      `jobs${query({ q: text.trim(), status: 'done', brief: 1, limit: 20 })}`,
      {},
      this._settings
    );
    return page.jobs;
  }

  async cancel(id: string): Promise<void> {
    await requestAPI(`jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }, this._settings);
    void this._poll.refresh();
  }

  /**
   * Ask the owning kernels to cancel every unfinished job of a group (`POST groups/<id>/cancel`).
   *
   * @returns how many cancel requests were made
   */
  async cancelGroup(group: string): Promise<number> {
    const answer = await requestAPI<{ requested: number }>(
      `groups/${encodeURIComponent(group)}/cancel`,
      { method: 'POST' },
      this._settings
    );
    void this._poll.refresh();
    return answer.requested;
  }

  async setBudget(budget: { limit: number; period: string; backend: string | null }): Promise<void> {
    this._budgets = await requestAPI<IBudgetState>(
      'budgets',
      { method: 'PUT', body: JSON.stringify(budget) },
      this._settings
    );
    this._changed.emit();
  }

  async removeBudget(period: string, backend: string | null): Promise<void> {
    this._budgets = await requestAPI<IBudgetState>(
      `budgets${query({ period, backend })}`,
      { method: 'DELETE' },
      this._settings
    );
    this._changed.emit();
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private _standby(): boolean | Poll.Standby {
    if (!this._visible && !this._watchWhileHidden) {
      return true;
    }
    return 'when-hidden';
  }

  private _updateFrequency(): void {
    const hiddenSlow = !this._visible && !this._hasActive;
    const interval = hiddenSlow ? Math.max(this._interval, JobsModel.HIDDEN_INTERVAL) : this._interval;
    if (this._poll.frequency.interval !== interval) {
      this._poll.frequency = { interval, backoff: true, max: 30 * 1000 };
    }
  }

  private async _tick(): Promise<void> {
    try {
      if (this._first) {
        // 404 here: the server extension is missing
        const info = await requestAPI<{ poll_interval?: number }>('', {}, this._settings);
        this._serverInterval = typeof info.poll_interval === 'number' ? info.poll_interval : null;
        this._applyInterval();
      }
      const seq = this._tableSeq;
      const [page, table] = await Promise.all([
        requestAPI<{ jobs: IJobRecord[]; total: number }>(
          `jobs${query({ brief: 1, limit: this._pageSize })}`,
          {},
          this._settings
        ),
        this._visible
          ? requestAPI<IJobsTable>(`table${query(tableParams(this._tableQuery))}`, {}, this._settings)
          : Promise.resolve(null)
      ]);
      if (table !== null && seq === this._tableSeq) {
        this._table = table; // an answer to a query changed meanwhile is dropped: the next poll asks again
      }
      const fingerprint = [
        `${page.total}|${page.jobs.map(j => `${j.id}:${j.status}:${j.updated}`).join(',')}`,
        this._table === null ? '' : tableFingerprint(this._table)
      ].join('#');
      const jobsChanged = fingerprint !== this._fingerprint;
      this._ticks += 1;
      if (jobsChanged || this._ticks % JobsModel.SLOW_EVERY === 0 || this._budgets === null) {
        const [budgets, compare] = await Promise.all([
          requestAPI<IBudgetState>('budgets', {}, this._settings),
          requestAPI<{ groups: ICompareGroup[] }>('compare', {}, this._settings)
        ]);
        this._budgets = budgets;
        this._compare = compare.groups;
      }
      const transitions = this._transitions(page.jobs);
      const hadError = this._error !== null || this._serverMissing;
      this._jobs = page.jobs;
      this._total = page.total;
      this._fingerprint = fingerprint;
      this._error = null;
      this._serverMissing = false;
      this._first = false;
      this._hasActive = page.jobs.some(j => ACTIVE_STATES.has(j.status)) || (this._table?.overall.active ?? 0) > 0;
      this._updateFrequency();
      // Active jobs re-render every tick so their elapsed time moves.
      if (jobsChanged || hadError || this._hasActive || this._ticks % JobsModel.SLOW_EVERY === 0) {
        this._changed.emit();
      }
      transitions.forEach(t => this._jobFinished.emit(t));
    } catch (error) {
      this._serverMissing = error instanceof ServerExtensionMissing;
      this._error = this._serverMissing
        ? null
        : error instanceof ServerConnection.NetworkError
          ? 'The Jupyter server cannot be reached; retrying.'
          : `Cannot read the run log: ${(error as Error).message}`;
      this._changed.emit();
      throw error; // the poll backs off
    }
  }

  private _transitions(jobs: IJobRecord[]): IJobTransition[] {
    const out: IJobTransition[] = [];
    for (const job of jobs) {
      const previous = this._seen.get(job.id);
      const isFinal = !ACTIVE_STATES.has(job.status);
      if (previous === undefined) {
        // A job first seen already finished counts when it was created after this model started.
        if (!this._first && isFinal && job.created * 1000 >= this._started - 5000) {
          out.push({ job, previous: null });
        }
      } else if (ACTIVE_STATES.has(previous) && isFinal) {
        out.push({ job, previous: previous as IJobRecord['status'] });
      }
      this._seen.set(job.id, job.status);
    }
    return out;
  }

  private _settings: ServerConnection.ISettings;
  private _pageSize: number;
  private _interval: number;
  private _userInterval: number | null = null;
  private _serverInterval: number | null = null;
  private _poll: Poll;
  private _jobs: IJobRecord[] = [];
  private _total = 0;
  private _table: IJobsTable | null = null;
  private _tableQuery: ITableQuery = { ...EMPTY_QUERY };
  private _tableSeq = 0;
  private _budgets: IBudgetState | null = null;
  private _compare: ICompareGroup[] = [];
  private _error: string | null = null;
  private _serverMissing = false;
  private _visible = false;
  private _watchWhileHidden = true;
  private _hasActive = false;
  private _first = true;
  private _ticks = 0;
  private _fingerprint = '';
  private _started = Date.now();
  private _seen = new Map<string, string>();
  private _changed = new Signal<IJobsModel, void>(this);
  private _jobFinished = new Signal<IJobsModel, IJobTransition>(this);
}

/**
 * What changes when the Queue must re-render: counts, and the ids, states and changes of the jobs shown.
 */
function tableFingerprint(table: IJobsTable): string {
  const jobs = (list: IJobRecord[]) => list.map(j => `${j.id}:${j.status}:${j.updated}`).join(',');
  const groups = table.groups.map(g => `${g.group}:${g.done}:${g.active}:${g.total}`).join(',');
  return [
    JSON.stringify(table.counts),
    JSON.stringify(table.overall),
    table.offset,
    table.total,
    jobs(table.active),
    jobs(table.page),
    groups
  ].join('|');
}

/**
 * A namespace for JobsModel statics.
 */
export namespace JobsModel {
  /**
   * Options of a jobs model.
   */
  export interface IOptions {
    /** The server connection settings (`app.serviceManager.serverSettings`). */
    serverSettings: ServerConnection.ISettings;
    /** Poll interval in ms until the server's hint or the user's setting is known (default 1000). */
    interval?: number;
    /** How many of the newest jobs to read (default 100). */
    pageSize?: number;
  }

  /** Poll interval (ms) while the sidebar is hidden and no job is active. */
  export const HIDDEN_INTERVAL = 10 * 1000;

  /** Budgets and comparisons are re-read at least every this many polls. */
  export const SLOW_EVERY = 5;
}
