import * as React from 'react';

/**
 * Props of a panel's error boundary.
 */
export interface IPanelBoundaryProps {
  /** The panel's name, as its tab says it ("Compare"). */
  panel: string;
  /** Whatever identifies what the panel shows (the tab, the open job): when it changes, the panel renders afresh. */
  resetKey: string;
  children?: React.ReactNode;
}

interface IPanelBoundaryState {
  error: Error | null;
}

/**
 * One panel's error boundary: a panel that throws while rendering (a record it does not expect, a bug) shows what
 * went wrong in its own place; the header, the tabs and the other panels keep working. It tries again when the user
 * asks, or when another tab or job is shown.
 */
export class PanelBoundary extends React.Component<IPanelBoundaryProps, IPanelBoundaryState> {
  state: IPanelBoundaryState = { error: null };

  static getDerivedStateFromError(error: Error): IPanelBoundaryState {
    return { error };
  }

  componentDidCatch(error: Error, info: React.ErrorInfo): void {
    console.error(`qhybrid-lab: the ${this.props.panel} panel failed to render`, error, info.componentStack);
  }

  componentDidUpdate(previous: IPanelBoundaryProps): void {
    if (previous.resetKey !== this.props.resetKey && this.state.error) {
      this.setState({ error: null });
    }
  }

  render(): React.ReactNode {
    const { error } = this.state;
    if (!error) {
      return this.props.children;
    }
    return (
      <div className="qh-Sidebar-error qh-PanelBoundary" role="alert">
        <p>
          The {this.props.panel} panel could not be shown: {error.message || String(error)}. The other panels and the
          run log are not affected; the browser console has the details.
        </p>
        <button className="jp-mod-styled" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
