/**
 * A panel that throws while rendering shows the error in its place; the rest of the sidebar keeps working.
 */
import * as React from 'react';
import { act } from 'react-dom/test-utils';
import { createRoot, Root } from 'react-dom/client';

import { PanelBoundary } from '../components/PanelBoundary';

function Fragile(props: { record: { step?: number } | null }): JSX.Element {
  if (props.record === null) {
    throw new Error("Cannot read properties of null (reading 'step')");
  }
  return <div className="fragile">step {props.record.step}</div>;
}

function Page(props: { record: { step?: number } | null; resetKey: string }): JSX.Element {
  return (
    <div>
      <header className="header">Quantum jobs</header>
      <PanelBoundary panel="Metrics" resetKey={props.resetKey}>
        <Fragile record={props.record} />
      </PanelBoundary>
    </div>
  );
}

describe('PanelBoundary', () => {
  let host: HTMLElement;
  let root: Root;
  let consoleError: jest.SpyInstance;

  beforeEach(() => {
    (globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    consoleError.mockRestore();
  });

  it('shows a panel that throws as an error in its place, keeps the rest, and renders again on a new key', () => {
    // Given a panel that renders
    act(() => root.render(<Page record={{ step: 3 }} resetKey="metrics" />));
    expect(host.querySelector('.fragile')?.textContent).toBe('step 3');
    // When it throws while rendering
    act(() => root.render(<Page record={null} resetKey="metrics" />));
    // Then its place says which panel failed and why, and the header is still there
    const alert = host.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('The Metrics panel could not be shown');
    expect(alert?.textContent).toContain("reading 'step'");
    expect(host.querySelector('.header')?.textContent).toBe('Quantum jobs');
    expect(consoleError).toHaveBeenCalledWith(
      'qhybrid-lab: the Metrics panel failed to render',
      expect.any(Error),
      expect.anything()
    );
    // And when another tab (a new key) brings a record it can show, it renders again
    act(() => root.render(<Page record={{ step: 4 }} resetKey="queue" />));
    expect(host.querySelector('[role="alert"]')).toBeNull();
    expect(host.querySelector('.fragile')?.textContent).toBe('step 4');
  });

  it('tries again when asked', () => {
    act(() => root.render(<Page record={null} resetKey="metrics" />));
    const retry = host.querySelector('button') as HTMLButtonElement;
    expect(retry.textContent).toBe('Try again');
    // still broken: the error comes back; once fixed, the panel renders
    act(() => retry.click());
    expect(host.querySelector('[role="alert"]')).not.toBeNull();
    act(() => root.render(<Page record={{ step: 5 }} resetKey="metrics" />));
    expect(host.querySelector('[role="alert"]')).not.toBeNull(); // same key: it does not retry by itself
    act(() => (host.querySelector('button') as HTMLButtonElement).click());
    expect(host.querySelector('.fragile')?.textContent).toBe('step 5');
  });
});
