import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { summarizeCircuits } from './circuits';
import { IBudgetDraft } from './components/BudgetForm';
import { OperationsView } from './components/OperationsView';
import { Sidebar, SidebarTab } from './components/Sidebar';
import { qhybridIcon } from './icon';
import { JobsModel } from './model';
import { OperationsModel } from './operationsModel';
import { nextOffset } from './queue';
import { ACTIVE_STATES, IJobRecord, ITableQuery } from './tokens';

/**
 * The sidebar widget: hosts the React view, keeps which tab and job are open, forwards actions to the model.
 */
export class SidebarWidget extends ReactWidget {
  constructor(model: JobsModel, operations?: OperationsModel) {
    super();
    this._model = model;
    this._operations = operations ?? null;
    this.id = 'qhybrid-lab-sidebar';
    this.title.icon = qhybridIcon;
    this.title.caption = 'Quantum jobs (qhybrid-lab)';
    this.addClass('qh-SidebarWidget');
    model.changed.connect(this._refreshDetail, this);
  }

  dispose(): void {
    this._model.changed.disconnect(this._refreshDetail, this);
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._model.visible = true;
    if (this._operations) {
      this._operations.visible = true;
    }
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._model.visible = false;
    if (this._operations) {
      this._operations.visible = false;
    }
  }

  protected render(): JSX.Element {
    return <UseSignal signal={this._model.changed}>{() => this._renderSidebar()}</UseSignal>;
  }

  private _renderSidebar(): JSX.Element {
    const model = this._model;
    const backends = [...new Set(model.jobs.map(j => j.backend.name))].sort();
    return (
      <Sidebar
        tab={this._tab}
        jobs={model.jobs}
        total={model.logTotal}
        active={model.activeCount}
        queue={{
          table: model.table,
          query: model.tableQuery,
          jobs: model.jobs,
          toggled: this._toggled,
          cancelling: this._cancelling,
          older: model.table ? nextOffset(model.table, this._toggled) : null,
          hasNewer: this._pages.length > 0,
          onSelect: id => void this._select(id),
          onCancel: id => void this._cancel(id),
          onCancelGroup: group => void this._cancelGroup(group),
          onToggleGroup: (group, collapsed) => {
            this._toggled.set(group, collapsed);
            this.update();
          },
          onQuery: this._onQuery,
          onOlder: offset => {
            this._pages.push(model.tableQuery.offset);
            model.setTableQuery({ offset });
          },
          onNewer: () => model.setTableQuery({ offset: this._pages.pop() ?? 0 })
        }}
        budgets={model.budgets}
        compare={model.compare}
        compareSource={model}
        circuits={summarizeCircuits(model.jobs)}
        backends={backends}
        detail={this._detail}
        point={this._point}
        cancelling={this._cancelling}
        error={model.error}
        actionError={this._actionError}
        serverMissing={model.serverMissing}
        onTab={tab => {
          this._tab = tab;
          if (this._operations) {
            this._operations.panel = tab === 'experiments' || tab === 'metrics' ? tab : null;
          }
          this._actionError = null;
          this.update();
        }}
        onSelect={id => void this._select(id)}
        onPoint={index => {
          this._point = index;
          this.update();
        }}
        onCancel={id => void this._cancel(id)}
        onSetBudget={draft => void this._setBudget(draft)}
        onRemoveBudget={(period, backend) => void this._act(() => this._model.removeBudget(period, backend))}
        renderOperations={this._operations ? panel => this._renderOperations(panel) : undefined}
      />
    );
  }

  private _renderOperations(panel: 'experiments' | 'metrics'): JSX.Element {
    return (
      <OperationsView
        model={this._operations as OperationsModel}
        panel={panel}
        onJob={id => {
          this._tab = 'queue';
          (this._operations as OperationsModel).panel = null;
          void this._select(id);
        }}
        onError={message => {
          this._actionError = message;
          this.update();
        }}
      />
    );
  }

  private async _select(id: string | null): Promise<void> {
    this._detail = null;
    this._point = 0;
    this._actionError = null;
    if (id) {
      await this._act(async () => {
        this._detail = await this._model.getJob(id);
      });
    }
    this.update();
  }

  private async _cancel(id: string): Promise<void> {
    this._cancelling.add(id);
    this.update();
    await this._act(() => this._model.cancel(id));
  }

  private async _cancelGroup(group: string): Promise<void> {
    const key = `group:${group}`;
    this._cancelling.add(key);
    this.update();
    await this._act(async () => {
      await this._model.cancelGroup(group);
    });
    setTimeout(() => {
      this._cancelling.delete(key); // the group row's count of unfinished jobs says what is left
      this.update();
    }, 3000);
  }

  /** A filter changed: back to the first page. */
  private _onQuery = (change: Partial<ITableQuery>): void => {
    this._pages = [];
    this._model.setTableQuery(change);
    this.update();
  };

  private async _setBudget(draft: IBudgetDraft): Promise<void> {
    if (!isFinite(draft.limit) || draft.limit < 0) {
      this._actionError = 'The limit must be a number of at least 0.';
      this.update();
      return;
    }
    await this._act(() => this._model.setBudget(draft));
  }

  /** Run an action; its error is shown in the panel until the next action. */
  private async _act(action: () => Promise<void>): Promise<void> {
    this._actionError = null;
    try {
      await action();
    } catch (error) {
      this._actionError = (error as Error).message;
    }
    this.update();
  }

  /** Keep the open job's full record in step with the list, and forget cancels that took effect. */
  private _refreshDetail(): void {
    const shown = [...(this._model.table?.active ?? []), ...(this._model.table?.page ?? []), ...this._model.jobs];
    for (const id of [...this._cancelling]) {
      if (id.startsWith('group:')) {
        continue;
      }
      const job = shown.find(j => j.id === id);
      if (!job || !ACTIVE_STATES.has(job.status)) {
        this._cancelling.delete(id);
      }
    }
    const detail = this._detail;
    if (!detail) {
      return;
    }
    const listed = shown.find(j => j.id === detail.id);
    if (listed && (listed.updated !== detail.updated || listed.status !== detail.status)) {
      this._model.getJob(detail.id).then(
        (job: IJobRecord) => {
          if (this._detail?.id === job.id) {
            this._detail = job;
            this.update();
          }
        },
        () => undefined // the list still shows the job; the next change retries
      );
    }
  }

  private _model: JobsModel;
  private _operations: OperationsModel | null;
  private _tab: SidebarTab = 'queue';
  private _detail: IJobRecord | null = null;
  /** The sweep point shown in the detail view (back to 0 when another job opens). */
  private _point = 0;
  private _cancelling = new Set<string>();
  /** Groups the user opened (false) or closed (true). */
  private _toggled = new Map<string, boolean>();
  /** Offsets of the newer pages the user came from. */
  private _pages: number[] = [];
  private _actionError: string | null = null;
}
