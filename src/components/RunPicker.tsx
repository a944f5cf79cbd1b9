import * as React from 'react';

import { formatClock } from '../format';

/**
 * A run the user can pick (a search result or a counterpart).
 */
export interface IPickable {
  id: string;
  name: string | null;
  backend: string;
  kind: string;
  created?: number | null;
  /** Why it is offered ("the same device (emulator ↔ hardware)"), for counterparts. */
  relation?: string;
  /** False when it cannot be compared with the reference; `reason` says why. */
  comparable?: boolean;
  reason?: string | null;
}

/**
 * One side of a pair: a search box, the runs found (or offered), and the run picked.
 */
export function RunPicker(props: {
  /** "Reference (a)" or "Compare with (b)". */
  label: string;
  query: string;
  onQuery: (text: string) => void;
  runs: IPickable[];
  picked: IPickable | null;
  onPick: (run: IPickable | null) => void;
  /** Shown above the list (e.g. "Counterparts of 3f2a9c1d"). */
  listTitle?: string;
}): JSX.Element {
  const { picked } = props;
  return (
    <div className="qh-RunPicker" role="group" aria-label={props.label}>
      <div className="qh-RunPicker-label">{props.label}</div>
      {picked ? (
        <div className="qh-RunPicker-picked">
          <span>
            <b>{picked.name ?? 'circuit'}</b> on {picked.backend} <code>{picked.id.slice(0, 8)}</code>
          </span>
          <button className="jp-mod-styled qh-RunPicker-change" onClick={() => props.onPick(null)}>
            Change
          </button>
        </div>
      ) : (
        <>
          <input
            className="jp-mod-styled qh-RunPicker-search"
            type="search"
            placeholder="circuit name, tag or job id"
            aria-label={`Search runs: ${props.label}`}
            value={props.query}
            onChange={event => props.onQuery(event.target.value)}
          />
          {props.listTitle && <div className="qh-RunPicker-listTitle">{props.listTitle}</div>}
          <ul className="qh-RunPicker-list">
            {props.runs.map(run => (
              <li key={run.id}>
                <button
                  className="qh-RunPicker-run"
                  disabled={run.comparable === false}
                  title={run.reason ?? run.relation ?? undefined}
                  aria-label={`Pick ${run.name ?? 'circuit'} on ${run.backend} ${run.id.slice(0, 8)}`}
                  onClick={() => props.onPick(run)}
                >
                  <span className="qh-RunPicker-name">{run.name ?? 'circuit'}</span>
                  <span className="qh-RunPicker-backend">
                    {run.backend} <span className="qh-ComparePanel-kind">{run.kind}</span>
                  </span>
                  <code>{run.id.slice(0, 8)}</code>
                  <span className="qh-RunPicker-when">{formatClock(run.created)}</span>
                  {run.relation && <span className="qh-RunPicker-relation">{run.relation}</span>}
                </button>
              </li>
            ))}
            {props.runs.length === 0 && <li className="qh-RunPicker-none">No finished run matches.</li>}
          </ul>
        </>
      )}
    </div>
  );
}
