import { JupyterFrontEnd } from '@jupyterlab/application';
import { ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { ACTIVE_STATES, IJobRecord, IJobsModel } from './tokens';

/**
 * The mime type of an ipywidgets view in an output.
 */
const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';

/**
 * The marker of a qhybrid-lab live view's static fallback (qhybrid_lab/summary.py `static_html`).
 */
const GROUP_ATTRIBUTE = /data-qhybrid-group='([0-9a-f-]+)'/;

/**
 * What this module needs of a notebook's output list (a structural subset of JupyterLab's IOutputAreaModel).
 */
interface IOutputs {
  readonly length: number;
  get(index: number): { data: Record<string, unknown> };
  set(index: number, output: Record<string, unknown>): void;
}

/**
 * What this module needs of a notebook panel (duck-typed: the extension does not depend on @jupyterlab/notebook).
 */
interface INotebookLike {
  sessionContext: {
    statusChanged: ISignal<unknown, string>;
    kernelChanged: ISignal<unknown, { oldValue: unknown; newValue: unknown }>;
  };
  content: { model: { cells: Iterable<{ type: string; outputs?: IOutputs }> } | null };
}

function isNotebook(widget: Widget): widget is Widget & INotebookLike {
  const candidate = widget as unknown as Partial<INotebookLike>;
  return !!candidate.sessionContext?.statusChanged && !!candidate.content && 'model' in candidate.content;
}

/**
 * The line a live view becomes when its kernel restarted, from what the sidebar knows of its group's jobs.
 */
export function restartLine(group: string, jobs: IJobRecord[]): string {
  const own = jobs.filter(j => j.group === group);
  const head = `qhybrid-lab group ${group.slice(0, 8)}: the kernel restarted`;
  if (own.length === 0) {
    return `${head}; this live view is gone — see the sidebar's Queue for its jobs.`;
  }
  // A job a provider accepted outlives its kernel (the Jupyter server adopts it); a local one is interrupted.
  const atProvider = own.filter(j => ACTIVE_STATES.has(j.status) && !!j.provider_job_id).length;
  const stopped = own.filter(
    j => (ACTIVE_STATES.has(j.status) && !j.provider_job_id) || j.status === 'interrupted'
  ).length;
  const goesOn =
    atProvider === 0
      ? ''
      : own.length === 1
        ? 'this job goes on at its provider (the Jupyter server follows it)'
        : `${atProvider} of ${own.length} jobs go on at their provider (the Jupyter server follows them)`;
  if (stopped > 0) {
    const what = own.length === 1 ? 'this job was' : `${stopped} of ${own.length} jobs were`;
    return `${head}; ${what} interrupted${goesOn ? `, ${goesOn}` : ''} — see the sidebar.`;
  }
  if (goesOn) {
    return `${head}; ${goesOn} — see the sidebar.`;
  }
  const counts = new Map<string, number>();
  own.forEach(j => counts.set(j.status, (counts.get(j.status) ?? 0) + 1));
  const parts = [...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', ');
  return `${head}; its ${own.length === 1 ? 'job' : `${own.length} jobs`} had finished (${parts}) — see the sidebar.`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Replace every qhybrid-lab live view of a notebook by one static line (its kernel is gone; the widget is dead).
 */
export function degradeNotebook(panel: INotebookLike, jobs: IJobRecord[]): number {
  let replaced = 0;
  for (const cell of panel.content.model?.cells ?? []) {
    const outputs = cell.outputs;
    if (cell.type !== 'code' || !outputs) {
      continue;
    }
    for (let i = 0; i < outputs.length; i++) {
      const data = outputs.get(i).data;
      const match = WIDGET_MIME in data ? GROUP_ATTRIBUTE.exec(String(data['text/html'] ?? '')) : null;
      if (!match) {
        continue;
      }
      const line = restartLine(match[1], jobs);
      outputs.set(i, {
        output_type: 'display_data',
        metadata: {},
        data: {
          'text/plain': line,
          'text/html':
            `<div class="qh-JobView-restarted tex2jax_ignore mathjax_ignore" data-qhybrid-group="${match[1]}">` +
            `${escapeHtml(line)}</div>`
        }
      });
      replaced++;
    }
  }
  return replaced;
}

/**
 * Watch every notebook: when its kernel restarts, dies or is replaced, its live job views become static lines.
 */
export function degradeCellViews(app: JupyterFrontEnd, model: IJobsModel): void {
  const watched = new WeakSet<Widget>();
  const watch = () => {
    for (const widget of app.shell.widgets('main')) {
      if (watched.has(widget) || !isNotebook(widget)) {
        continue;
      }
      watched.add(widget);
      const degrade = () => degradeNotebook(widget, model.jobs);
      widget.sessionContext.statusChanged.connect((_, status) => {
        if (status === 'restarting' || status === 'autorestarting' || status === 'dead') {
          degrade();
        }
      });
      // a kernel replaced by another (not the first kernel of a page just opened: it may still own the views)
      widget.sessionContext.kernelChanged.connect((_, change) => {
        if (change.oldValue) {
          degrade();
        }
      });
    }
  };
  app.shell.currentChanged?.connect(watch); // a notebook opened or focused
  model.changed.connect(watch); // and at each change of the jobs (a notebook that runs one is watched by then)
  void app.restored.then(watch);
}
