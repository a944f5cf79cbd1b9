import * as React from 'react';

import { formatClock, formatMoney } from '../format';
import { IBudgetState } from '../tokens';
import { BudgetForm, IBudgetDraft } from './BudgetForm';
import { BudgetMeter } from './BudgetMeter';

/**
 * Props of the cost guard panel.
 */
export interface ICostGuardPanelProps {
  state: IBudgetState | null;
  backends: string[];
  /** The last error from setting or removing a budget. */
  error: string | null;
  onSetBudget: (draft: IBudgetDraft) => void;
  onRemoveBudget: (period: string, backend: string | null) => void;
}

/**
 * Budgets with spent and committed cost, the rehearsal mode, and the submissions the guard blocked.
 */
export function CostGuardPanel(props: ICostGuardPanelProps): JSX.Element {
  const state = props.state;
  if (!state) {
    return <div className="qh-CostGuardPanel qh-mod-empty">Loading budgets…</div>;
  }
  return (
    <div className="qh-CostGuardPanel">
      {state.rehearse && (
        <div className="qh-CostGuardPanel-rehearsal" role="status">
          rehearsal (hardware-equivalent): emulator jobs count at what the real device would cost
        </div>
      )}
      {state.budgets.length === 0 ? (
        <p className="qh-CostGuardPanel-none">No budget set: nothing limits submissions.</p>
      ) : (
        state.budgets.map(b => (
          <BudgetMeter
            key={`${b.period}:${b.backend ?? ''}`}
            budget={b}
            onRemove={() => props.onRemoveBudget(b.period, b.backend)}
          />
        ))
      )}
      <BudgetForm onSubmit={props.onSetBudget} backends={props.backends} />
      {props.error && (
        <div className="qh-CostGuardPanel-error" role="alert">
          {props.error}
        </div>
      )}
      <h3 className="qh-CostGuardPanel-heading">Blocked submissions</h3>
      {state.blocked.length === 0 ? (
        <p className="qh-CostGuardPanel-none">None.</p>
      ) : (
        <ul className="qh-CostGuardPanel-blocked" aria-label="Blocked submissions">
          {state.blocked.map(job => (
            <li key={job.id} className="qh-CostGuardPanel-blockedItem">
              <span className="qh-CostGuardPanel-what">
                {job.circuit?.name} on {job.backend.name} · {formatClock(job.created)} ·{' '}
                {formatMoney(job.cost?.counted ?? job.cost?.estimate, job.cost?.currency)}
              </span>
              <span className="qh-CostGuardPanel-reason" title={job.blocked_reason ?? job.error ?? ''}>
                {job.blocked_reason ?? job.error ?? 'blocked'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
