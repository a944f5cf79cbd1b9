import * as React from 'react';

import { ICircuitSummary } from '../circuits';
import { SERVER_MISSING_MESSAGE } from '../request';
import { IBudgetState, ICompareGroup, ICompareSource, IJobRecord } from '../tokens';
import { IBudgetDraft } from './BudgetForm';
import { CircuitsPanel } from './CircuitsPanel';
import { ComparePanel } from './ComparePanel';
import { CostGuardPanel } from './CostGuardPanel';
import { JobDetail } from './JobDetail';
import { PanelBoundary } from './PanelBoundary';
import { IQueuePanelProps, QueuePanel } from './QueuePanel';

/**
 * The sidebar's tabs.
 */
export type SidebarTab = 'queue' | 'cost' | 'circuits' | 'compare' | 'experiments' | 'metrics';

const TABS: [SidebarTab, string][] = [
  ['queue', 'Queue'],
  ['cost', 'Cost guard'],
  ['circuits', 'Circuits'],
  ['compare', 'Compare'],
  ['experiments', 'Experiments'],
  ['metrics', 'Metrics']
];

/**
 * Everything the sidebar shows, and what it can ask for.
 */
export interface ISidebarProps {
  tab: SidebarTab;
  jobs: IJobRecord[];
  /** How many jobs the run log holds, and how many are active (the server's counts). */
  total: number;
  active: number;
  /** What the Queue shows and can ask for. */
  queue: IQueuePanelProps;
  budgets: IBudgetState | null;
  compare: ICompareGroup[];
  /** Where the Compare panel reads picked pairs, counterparts and search results. */
  compareSource?: ICompareSource | null;
  circuits: ICircuitSummary[];
  backends: string[];
  /** The full record of the selected job, when one is open. */
  detail: IJobRecord | null;
  /** For a sweep open in the detail view: the parameter point whose histogram is shown. */
  point: number;
  cancelling: ReadonlySet<string>;
  error: string | null;
  actionError: string | null;
  serverMissing: boolean;
  onTab: (tab: SidebarTab) => void;
  onSelect: (id: string | null) => void;
  /** Choose the sweep point shown in the detail view. */
  onPoint: (index: number) => void;
  onCancel: (id: string) => void;
  onSetBudget: (draft: IBudgetDraft) => void;
  onRemoveBudget: (period: string, backend: string | null) => void;
  /** The Experiments and Metrics panels (they have a model of their own). */
  renderOperations?: (panel: 'experiments' | 'metrics') => JSX.Element;
}

/**
 * The qhybrid-lab sidebar: tabs for Queue, Cost guard, Circuits, Compare, Experiments and Metrics.
 */
export function Sidebar(props: ISidebarProps): JSX.Element {
  if (props.serverMissing) {
    return (
      <div className="qh-Sidebar">
        <div className="qh-Sidebar-missing" role="alert">
          {SERVER_MISSING_MESSAGE}
        </div>
      </div>
    );
  }
  let body: JSX.Element;
  if (props.tab === 'queue' && props.detail) {
    body = (
      <JobDetail
        job={props.detail}
        cancelling={props.cancelling.has(props.detail.id)}
        onBack={() => props.onSelect(null)}
        onCancel={props.onCancel}
        point={props.point}
        onPoint={props.onPoint}
      />
    );
  } else if (props.tab === 'queue') {
    body = <QueuePanel {...props.queue} />;
  } else if (props.tab === 'cost') {
    body = (
      <CostGuardPanel
        state={props.budgets}
        backends={props.backends}
        error={props.actionError}
        onSetBudget={props.onSetBudget}
        onRemoveBudget={props.onRemoveBudget}
      />
    );
  } else if (props.tab === 'experiments' || props.tab === 'metrics') {
    body = props.renderOperations?.(props.tab) ?? <div />;
  } else if (props.tab === 'circuits') {
    body = <CircuitsPanel circuits={props.circuits} />;
  } else {
    body = <ComparePanel groups={props.compare} source={props.compareSource} />;
  }
  const label = TABS.find(t => t[0] === props.tab)?.[1] ?? props.tab;
  return (
    <div className="qh-Sidebar">
      <header className="qh-Sidebar-header">
        <h2 className="qh-Sidebar-title">Quantum jobs</h2>
        <span className="qh-Sidebar-summary">
          {props.active} active · {props.total} in the run log
        </span>
      </header>
      <div className="qh-Sidebar-tabs" role="tablist" aria-label="qhybrid-lab panels">
        {TABS.map(([id, label]) => (
          <button
            key={id}
            role="tab"
            aria-selected={props.tab === id}
            className={`qh-Sidebar-tab${props.tab === id ? ' qh-mod-selected' : ''}`}
            onClick={event => {
              event.currentTarget.scrollIntoView?.({ block: 'nearest', inline: 'nearest' }); // a row scrolled sideways
              props.onTab(id);
            }}
          >
            {label}
          </button>
        ))}
      </div>
      {props.error && (
        <div className="qh-Sidebar-error" role="alert">
          {props.error}
        </div>
      )}
      {props.actionError && props.tab !== 'cost' && (
        <div className="qh-Sidebar-error" role="alert">
          {props.actionError}
        </div>
      )}
      <div className="qh-Sidebar-body" role="tabpanel" aria-label={label}>
        <PanelBoundary panel={label} resetKey={`${props.tab}:${props.detail?.id ?? ''}`}>
          {body}
        </PanelBoundary>
      </div>
    </div>
  );
}
