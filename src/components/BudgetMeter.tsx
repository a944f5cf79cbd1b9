import * as React from 'react';

import { formatMoney } from '../format';
import { IBudget } from '../tokens';

/**
 * Fraction of a budget at which its meter turns warning-coloured.
 */
export const WARN_FRACTION = 0.8;

/**
 * Spent and committed against one budget, as a meter (warning colour near the limit), with a remove button.
 */
export function BudgetMeter(props: { budget: IBudget; onRemove: () => void }): JSX.Element {
  const { budget } = props;
  const spent = budget.spent ?? 0;
  const committed = budget.committed ?? 0;
  const used = spent + committed;
  const fraction = budget.limit > 0 ? used / budget.limit : used > 0 ? Infinity : 0;
  const state = fraction >= 1 ? 'qh-mod-over' : fraction >= WARN_FRACTION ? 'qh-mod-warning' : 'qh-mod-ok';
  const pct = (x: number) => (budget.limit > 0 ? Math.min(100, (x / budget.limit) * 100) : x > 0 ? 100 : 0);
  const scope = `${budget.period === 'total' ? 'Total' : budget.period === 'day' ? 'Per day' : 'Per job'}${
    budget.backend ? ` · ${budget.backend}` : ' · all backends'
  }`;
  return (
    <div className={`qh-BudgetMeter ${state}`}>
      <div className="qh-BudgetMeter-head">
        <span className="qh-BudgetMeter-scope">{scope}</span>
        <span className="qh-BudgetMeter-figures">
          {formatMoney(spent, budget.currency)} spent + {formatMoney(committed, budget.currency)} committed of{' '}
          {formatMoney(budget.limit, budget.currency)}
        </span>
      </div>
      <div
        className="qh-BudgetMeter-track"
        role="meter"
        aria-label={`${scope} budget`}
        aria-valuemin={0}
        aria-valuemax={budget.limit}
        aria-valuenow={Math.min(used, budget.limit)}
      >
        <div className="qh-BudgetMeter-spent" style={{ width: `${pct(spent)}%` }} />
        <div className="qh-BudgetMeter-committed" style={{ width: `${Math.max(0, pct(used) - pct(spent))}%` }} />
      </div>
      <button
        className="jp-Button jp-mod-styled jp-mod-reject qh-BudgetMeter-remove"
        aria-label={`Remove the ${scope} budget`}
        onClick={props.onRemove}
      >
        Remove
      </button>
    </div>
  );
}
