import { Notification } from '@jupyterlab/apputils';

import { formatSeconds } from './format';
import { ACTIVE_STATES, IJobRecord, IJobTransition } from './tokens';

/**
 * Which final states raise a notification (the `notifications` setting).
 */
export interface INotifyOptions {
  done: boolean;
  failed: boolean;
  cancelled: boolean;
  blocked: boolean;
  interrupted: boolean;
}

/**
 * The default: everything but cancellations (the user asked for those).
 */
export const DEFAULT_NOTIFY: INotifyOptions = {
  done: true,
  failed: true,
  cancelled: false,
  blocked: true,
  interrupted: true
};

/**
 * How long a blocked job's notification stays (ms); failures stay until closed.
 */
export const BLOCKED_CLOSE_MS = 8000;

/**
 * Groups of at most this many jobs get one notification per job; larger ones one for the whole group.
 */
export const SMALL_GROUP = 5;

/**
 * In a large group, at most this many failures get a notification of their own (the group's counts the rest).
 */
export const MAX_FAILURE_TOASTS = 3;

/**
 * The notification of a large group that has no active job left: "150 jobs done in 2.50 s", or the count of
 * each final state ("150 jobs: 148 done, 2 failed in 2.50 s"); `null` while a job is still active.
 */
export function groupMessage(jobs: IJobRecord[]): { message: string; ok: boolean } | null {
  if (jobs.length === 0 || jobs.some(j => ACTIVE_STATES.has(j.status))) {
    return null;
  }
  const counts = new Map<string, number>();
  for (const job of jobs) {
    counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
  }
  const starts = jobs.map(j => j.timings?.submitted_at ?? j.created);
  const ends = jobs.map(j => j.timings?.finished_at ?? j.updated);
  const span = Math.max(...ends) - Math.min(...starts);
  const ok = counts.get('done') === jobs.length;
  const parts = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const what = ok ? `${jobs.length} jobs done` : `${jobs.length} jobs: ${parts}`;
  const group = jobs[0].group ? ` (group ${jobs[0].group.slice(0, 8)})` : '';
  return { message: `${what} in ${formatSeconds(span)}${group}`, ok };
}

/**
 * Notifications per group: each job of a small group (≤ SMALL_GROUP) or a failure is notified by itself; a large
 * group raises one notification when its last job finishes.
 */
export class GroupNotifier {
  /**
   * @param fetchGroup - every job of a group (brief records), from the server
   * @param options - which final states notify (read at each transition: the settings may change)
   */
  constructor(
    private _fetchGroup: (group: string) => Promise<IJobRecord[]>,
    private _options: () => INotifyOptions,
    private _debounceMs = 400
  ) {}

  /**
   * A job reached a final state.
   */
  async handle(transition: IJobTransition): Promise<void> {
    const group = transition.job.group;
    if (!group) {
      notifyTransition(transition, this._options());
      return;
    }
    let state = this._groups.get(group);
    if (!state) {
      state = { size: null, failures: 0, timer: null, done: false, first: this._fetch(group) };
      this._groups.set(group, state);
    }
    const jobs = await state.first;
    state.size = jobs.length;
    if (state.size <= SMALL_GROUP) {
      notifyTransition(transition, this._options());
      return;
    }
    const failed = ['failed', 'blocked', 'interrupted'].includes(transition.job.status);
    if (failed && state.failures < MAX_FAILURE_TOASTS) {
      state.failures += 1;
      notifyTransition(transition, this._options());
    }
    this._schedule(group, state);
  }

  private _fetch(group: string): Promise<IJobRecord[]> {
    return this._fetchGroup(group).catch(() => []);
  }

  private _schedule(group: string, state: GroupNotifier.IGroupState, delay = this._debounceMs): void {
    if (state.done || state.timer !== null) {
      return;
    }
    state.timer = setTimeout(() => {
      state.timer = null;
      void this._fetch(group).then(jobs => {
        const summary = groupMessage(jobs);
        if (summary === null || state.done) {
          if (summary === null && jobs.length) {
            // jobs still active: the next transition looks again, and so does this, less often
            this._schedule(group, state, 5 * this._debounceMs);
          }
          return;
        }
        state.done = true;
        const options = this._options();
        if (summary.ok ? options.done : Object.values(options).some(Boolean)) {
          if (summary.ok) {
            Notification.success(summary.message, { autoClose: 5000 });
          } else {
            Notification.warning(summary.message, { autoClose: BLOCKED_CLOSE_MS });
          }
        }
      });
    }, delay);
  }

  private _groups = new Map<string, GroupNotifier.IGroupState>();
}

export namespace GroupNotifier {
  /**
   * What the notifier knows of one group.
   */
  export interface IGroupState {
    size: number | null;
    failures: number;
    timer: ReturnType<typeof setTimeout> | null;
    done: boolean;
    first: Promise<IJobRecord[]>;
  }
}

/**
 * Show a JupyterLab notification for a job that reached a final state, when the settings ask for it.
 */
export function notifyTransition(transition: IJobTransition, options: INotifyOptions): void {
  const { job } = transition;
  const status = job.status as keyof INotifyOptions;
  if (!options[status]) {
    return;
  }
  const what = `${job.circuit?.name ?? 'circuit'} on ${job.backend.name}`;
  const autoClose = 5000;
  switch (status) {
    case 'done':
      Notification.success(`Job ${what} done in ${formatSeconds(job.timings?.total)}`, { autoClose });
      break;
    case 'failed':
      Notification.error(`Job ${what} failed: ${job.error ?? 'see the Queue panel'}`, { autoClose: false });
      break;
    case 'blocked':
      // it closes by itself: the Cost guard panel and the Queue keep the reason
      Notification.warning(`Job ${what} blocked: ${job.blocked_reason ?? job.error ?? 'cost guard'}`, {
        autoClose: BLOCKED_CLOSE_MS
      });
      break;
    case 'interrupted':
      Notification.warning(`Job ${what} interrupted: its kernel stopped`, { autoClose });
      break;
    default:
      Notification.info(`Job ${what} ${job.status}`, { autoClose });
  }
}
