import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { JobsModel } from './model';
import { degradeCellViews } from './cells';
import { DEFAULT_NOTIFY, GroupNotifier, INotifyOptions } from './notify';
import { OperationsModel } from './operationsModel';
import { requestAPI } from './request';
import { IJobRecord, IJobsModel } from './tokens';
import { SidebarWidget } from './widget';

/**
 * The jobs model: polls the qhybrid-lab REST API; its settings are `schema/plugin.json`.
 */
const modelPlugin: JupyterFrontEndPlugin<IJobsModel> = {
  id: 'qhybrid-lab:plugin',
  description: 'Polls the qhybrid-lab run log through the server extension.',
  autoStart: true,
  provides: IJobsModel,
  optional: [ISettingRegistry],
  activate: (app: JupyterFrontEnd, settingRegistry: ISettingRegistry | null): IJobsModel => {
    const model = new JobsModel({ serverSettings: app.serviceManager.serverSettings });
    if (settingRegistry) {
      void settingRegistry.load(modelPlugin.id).then(
        settings => {
          const apply = () => {
            // Only a value the user set overrides the server's hint (QHybridLabServer.poll_interval).
            const user = settings.get('pollInterval').user;
            model.userInterval = typeof user === 'number' ? user : null;
            const notify = settings.get('notifications').composite as Partial<INotifyOptions>;
            model.watchWhileHidden = Object.values({ ...DEFAULT_NOTIFY, ...notify }).some(Boolean);
          };
          apply();
          settings.changed.connect(apply);
        },
        reason => console.error('qhybrid-lab: cannot load settings', reason)
      );
    }
    return model;
  }
};

/**
 * The sidebar in the left area: Queue, Cost guard, Circuits, Compare, Experiments, Metrics.
 */
const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'qhybrid-lab:sidebar',
  description: 'The qhybrid-lab sidebar: every quantum job of every notebook.',
  autoStart: true,
  requires: [IJobsModel],
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, model: IJobsModel, restorer: ILayoutRestorer | null): void => {
    const operations = new OperationsModel({ serverSettings: app.serviceManager.serverSettings });
    const widget = new SidebarWidget(model as JobsModel, operations);
    app.shell.add(widget, 'left', { rank: 600 });
    restorer?.add(widget, widget.id);
  }
};

/**
 * JupyterLab notifications when a job finishes, fails or is blocked (the `notifications` setting).
 */
const notificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'qhybrid-lab:notifications',
  description: 'Notifies when a quantum job finishes or fails.',
  autoStart: true,
  requires: [IJobsModel],
  optional: [ISettingRegistry],
  activate: (app: JupyterFrontEnd, model: IJobsModel, settingRegistry: ISettingRegistry | null): void => {
    let options: INotifyOptions = { ...DEFAULT_NOTIFY };
    if (settingRegistry) {
      void settingRegistry.load(modelPlugin.id).then(settings => {
        const apply = () => {
          options = { ...DEFAULT_NOTIFY, ...(settings.get('notifications').composite as object) };
        };
        apply();
        settings.changed.connect(apply);
      });
    }
    const settings = app.serviceManager.serverSettings;
    const fetchGroup = async (group: string): Promise<IJobRecord[]> => {
      const page = await requestAPI<{ jobs: IJobRecord[] }>(
        `jobs?group=${encodeURIComponent(group)}&brief=1&limit=500`,
        { method: 'GET' },
        settings
      );
      return page.jobs;
    };
    const notifier = new GroupNotifier(fetchGroup, () => options);
    model.jobFinished.connect((_, transition) => void notifier.handle(transition));
  }
};

/**
 * Cell views that outlive their kernel: after a restart, a `%%qrun` live view becomes one static line.
 */
const cellsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'qhybrid-lab:cells',
  description: 'Replaces the live job views of a restarted kernel by what became of their jobs.',
  autoStart: true,
  requires: [IJobsModel],
  activate: (app: JupyterFrontEnd, model: IJobsModel): void => degradeCellViews(app, model)
};

export default [modelPlugin, sidebarPlugin, notificationsPlugin, cellsPlugin];
