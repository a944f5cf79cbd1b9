import * as React from 'react';

import { basename, elapsedSeconds, formatSeconds } from '../format';
import { sweepSize } from '../sweep';
import { ACTIVE_STATES, IJobRecord } from '../tokens';
import { FallbackBadge } from './FallbackBadge';
import { StatusBadge } from './StatusBadge';

/**
 * Props of the queue.
 */
export interface IQueuePanelProps {
  jobs: IJobRecord[];
  total: number;
  /** Jobs a cancel was requested for (the button then says so). */
  cancelling: ReadonlySet<string>;
  onSelect: (id: string) => void;
  onCancel: (id: string) => void;
}

/**
 * Every job of every notebook, newest first, with a cancel button on active jobs.
 */
export function QueuePanel(props: IQueuePanelProps): JSX.Element {
  if (props.jobs.length === 0) {
    return (
      <div className="qh-QueuePanel qh-mod-empty">
        No jobs yet. Run a cell with <code>%%qrun</code> (after <code>%load_ext qhybrid_lab</code>).
      </div>
    );
  }
  const now = Date.now();
  return (
    <div className="qh-QueuePanel">
      <ul className="qh-QueuePanel-list" aria-label="Jobs">
        {props.jobs.map(job => {
          const label = `${job.circuit?.name ?? 'circuit'} on ${job.backend.name}`;
          const active = ACTIVE_STATES.has(job.status);
          const points = sweepSize(job);
          return (
            <li key={job.id} className={`qh-QueuePanel-row qh-mod-${job.status}`} aria-label={`Job ${label}`}>
              <button
                className="qh-QueuePanel-main"
                onClick={() => props.onSelect(job.id)}
                aria-label={`Show job ${label}`}
                title={`Job ${job.id}: show the full record`}
              >
                <span className="qh-QueuePanel-line">
                  <StatusBadge status={job.status} />
                  <span className="qh-QueuePanel-name">{job.circuit?.name ?? '—'}</span>
                  <span className="qh-QueuePanel-qubits">{job.circuit?.num_qubits ?? '?'} q</span>
                  {points !== null && (
                    <span className="qh-QueuePanel-points" title={`A sweep over ${points} parameter points`}>
                      {points} pts
                    </span>
                  )}
                  <FallbackBadge job={job} />
                  <span className="qh-QueuePanel-time">{formatSeconds(elapsedSeconds(job, now))}</span>
                </span>
                <span className="qh-QueuePanel-line qh-QueuePanel-meta">
                  <span className="qh-QueuePanel-backend">{job.backend.name}</span>
                  <span className={`qh-QueuePanel-kind qh-mod-${job.backend.kind}`}>{job.backend.kind}</span>
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
                  {props.cancelling.has(job.id) ? 'Cancelling…' : 'Cancel'}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {props.total > props.jobs.length && (
        <div className="qh-QueuePanel-more">
          Showing the newest {props.jobs.length} of {props.total} jobs (%qjobs lists them all).
        </div>
      )}
    </div>
  );
}
