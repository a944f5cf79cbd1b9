import { UseSignal } from '@jupyterlab/apputils';
import * as React from 'react';

import { OperationsModel } from '../operationsModel';
import { ExperimentsPanel } from './ExperimentsPanel';
import { MetricsPanel } from './MetricsPanel';

/**
 * Hosts the Experiments or the Metrics panel on the operations model: re-renders when the model changes.
 */
export function OperationsView(props: {
  model: OperationsModel;
  panel: 'experiments' | 'metrics';
  onJob: (id: string) => void;
  onError: (message: string) => void;
}): JSX.Element {
  const { model } = props;
  return (
    <UseSignal signal={model.changed}>
      {() => (
        <>
          {model.error && (
            <div className="qh-Sidebar-error" role="alert">
              {model.error}
            </div>
          )}
          {props.panel === 'metrics' ? (
            <MetricsPanel metrics={model.metrics} window={model.window} onWindow={w => model.setWindow(w)} />
          ) : (
            <ExperimentsPanel
              experiments={model.experiments}
              selected={model.selected}
              view={model.view}
              onSelect={name => model.select(name)}
              onStop={name => model.stop(name).catch(error => props.onError((error as Error).message))}
              onJob={props.onJob}
            />
          )}
        </>
      )}
    </UseSignal>
  );
}
