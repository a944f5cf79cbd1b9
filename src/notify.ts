import { Notification } from '@jupyterlab/apputils';

import { formatSeconds } from './format';
import { IJobTransition } from './tokens';

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
      Notification.warning(`Job ${what} blocked: ${job.blocked_reason ?? job.error ?? 'cost guard'}`, {
        autoClose: false
      });
      break;
    case 'interrupted':
      Notification.warning(`Job ${what} interrupted: its kernel stopped`, { autoClose });
      break;
    default:
      Notification.info(`Job ${what} ${job.status}`, { autoClose });
  }
}
