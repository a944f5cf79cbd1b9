import { ServerConnection } from '@jupyterlab/services';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { IExperiment, IExperimentView, mergeIterations } from './experiments';
import { IMetrics, MetricsWindow } from './metrics';
import { query, requestAPI } from './request';

/**
 * Which of the operations panels is showing, if any.
 */
export type OperationsPanel = 'experiments' | 'metrics' | null;

/**
 * Polls what the Experiments and Metrics panels show, only while one of them is showing; no DOM.
 *
 * The experiments list and the open experiment are read every `interval` ms (its new iterations only: `since`
 * the last one held), the metrics of the chosen window likewise. The poll backs off on errors and stands by
 * while neither panel is showing or the browser tab is hidden.
 */
export class OperationsModel {
  constructor(options: OperationsModel.IOptions) {
    this._settings = options.serverSettings;
    this._interval = options.interval ?? 1000;
    this._poll = new Poll({
      auto: true,
      factory: () => this._tick(),
      frequency: { interval: this._interval, backoff: true, max: 30 * 1000 },
      name: 'qhybrid-lab:operations',
      standby: () => (this._panel === null || !this._visible ? true : 'when-hidden')
    });
  }

  /** Emitted after every poll or action that changed something. */
  get changed(): ISignal<OperationsModel, void> {
    return this._changed;
  }
  get experiments(): IExperiment[] {
    return this._experiments;
  }
  /** The open experiment, its whole trace so far (null when none is open or it is not read yet). */
  get view(): IExperimentView | null {
    return this._view;
  }
  get selected(): string | null {
    return this._selected;
  }
  get metrics(): IMetrics | null {
    return this._metrics;
  }
  get window(): MetricsWindow {
    return this._window;
  }
  get error(): string | null {
    return this._error;
  }
  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** The panel showing (the poll reads only what it needs). */
  get panel(): OperationsPanel {
    return this._panel;
  }
  set panel(value: OperationsPanel) {
    if (value !== this._panel) {
      this._panel = value;
      void this.refresh();
    }
  }

  /** Whether the sidebar is showing. */
  get visible(): boolean {
    return this._visible;
  }
  set visible(value: boolean) {
    if (value !== this._visible) {
      this._visible = value;
      if (value) {
        void this.refresh();
      }
    }
  }

  /** Open an experiment (null: back to the list). */
  select(name: string | null): void {
    this._selected = name;
    this._view = null;
    this._changed.emit();
    void this.refresh();
  }

  /** Choose the metrics window. */
  setWindow(window: MetricsWindow): void {
    this._window = window;
    this._changed.emit();
    void this.refresh();
  }

  /** Ask a running experiment's loop to stop after its current iteration. */
  async stop(name: string): Promise<void> {
    await requestAPI(`experiments/${encodeURIComponent(name)}/stop`, { method: 'POST' }, this._settings);
    void this.refresh();
  }

  /** Poll now. */
  async refresh(): Promise<void> {
    if (this._panel === null || !this._visible) {
      return;
    }
    await this._poll.refresh();
    await this._poll.tick;
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _tick(): Promise<void> {
    if (this._panel === null || !this._visible) {
      return;
    }
    try {
      if (this._panel === 'metrics') {
        const window = this._window;
        const metrics = await requestAPI<IMetrics>(`metrics${query({ window })}`, {}, this._settings);
        if (typeof metrics !== 'object' || metrics === null || !metrics.series || !metrics.overall) {
          // (a proxy or a test's route mock answering for this URL): say so instead of drawing nothing
          throw new Error('GET metrics answered with something other than metrics');
        }
        if (window === this._window) {
          this._metrics = metrics;
        }
      } else {
        const list = await requestAPI<{ experiments: IExperiment[] }>('experiments', {}, this._settings);
        this._experiments = list.experiments;
        await this._readSelected();
      }
      this._error = null;
    } catch (error) {
      this._error =
        error instanceof ServerConnection.NetworkError
          ? 'The Jupyter server cannot be reached; retrying.'
          : `Cannot read the run log: ${(error as Error).message}`;
      this._changed.emit();
      throw error; // the poll backs off
    }
    this._changed.emit();
  }

  /** Read the open experiment's new iterations (all of them when it was restarted or first opened). */
  private async _readSelected(): Promise<void> {
    const name = this._selected;
    if (name === null) {
      return;
    }
    const held = this._view?.experiment.name === name ? this._view : null;
    const since = held ? held.iterations.length : 0;
    const fresh = await requestAPI<IExperimentView>(
      `experiments/${encodeURIComponent(name)}${query({ since, limit: OperationsModel.JOBS })}`,
      {},
      this._settings
    );
    if (name !== this._selected) {
      return;
    }
    const restarted = held !== null && fresh.experiment.iterations < since;
    const iterations = held && !restarted ? mergeIterations(held.iterations, fresh.iterations) : fresh.iterations;
    this._view = { ...fresh, iterations, since: 0 };
  }

  private _settings: ServerConnection.ISettings;
  private _interval: number;
  private _poll: Poll;
  private _panel: OperationsPanel = null;
  private _visible = false;
  private _experiments: IExperiment[] = [];
  private _selected: string | null = null;
  private _view: IExperimentView | null = null;
  private _metrics: IMetrics | null = null;
  private _window: MetricsWindow = 'hour';
  private _error: string | null = null;
  private _changed = new Signal<OperationsModel, void>(this);
}

/**
 * A namespace for OperationsModel statics.
 */
export namespace OperationsModel {
  /**
   * Options of the operations model.
   */
  export interface IOptions {
    /** The server connection settings (`app.serviceManager.serverSettings`). */
    serverSettings: ServerConnection.ISettings;
    /** Poll interval in ms (default 1000). */
    interval?: number;
  }

  /** How many of the open experiment's jobs to read (newest first). */
  export const JOBS = 50;
}
