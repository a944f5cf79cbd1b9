import * as React from 'react';

/**
 * A budget as the form submits it.
 */
export interface IBudgetDraft {
  limit: number;
  period: string;
  backend: string | null;
}

/**
 * Set or replace a budget (uncontrolled inputs, read on submit).
 */
export function BudgetForm(props: { onSubmit: (draft: IBudgetDraft) => void; backends: string[] }): JSX.Element {
  const submit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const limit = Number(data.get('limit'));
    const backend = String(data.get('backend') ?? '').trim();
    props.onSubmit({ limit, period: String(data.get('period')), backend: backend || null });
  };
  return (
    <form className="qh-BudgetForm" onSubmit={submit} aria-label="Set a budget">
      <label className="qh-BudgetForm-field">
        Limit (USD)
        <input
          className="jp-mod-styled"
          name="limit"
          type="number"
          min="0"
          step="0.01"
          required
          aria-label="Budget limit"
        />
      </label>
      <label className="qh-BudgetForm-field">
        Period
        <select className="jp-mod-styled" name="period" defaultValue="total" aria-label="Budget period">
          <option value="total">total</option>
          <option value="day">per day</option>
          <option value="job">per job</option>
        </select>
      </label>
      <label className="qh-BudgetForm-field">
        Backend
        <input
          className="jp-mod-styled"
          name="backend"
          list="qh-BudgetForm-backends"
          placeholder="all backends"
          aria-label="Budget backend"
        />
        <datalist id="qh-BudgetForm-backends">
          {props.backends.map(name => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </label>
      <button type="submit" className="jp-Button jp-mod-styled jp-mod-accept">
        Set budget
      </button>
    </form>
  );
}
