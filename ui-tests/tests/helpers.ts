import { expect, IJupyterLabPage, IJupyterLabPageFixture, test as galataTest } from '@jupyterlab/galata';
import { Locator, Page } from '@playwright/test';
import * as path from 'path';

/** How long JupyterLab may take to start in a page: a loaded 2-core machine has needed more than Galata's 15 s. */
const APP_START_MS = 180 * 1000;

/**
 * Galata's `test` with a patient `waitForApplication`: the same steps as Galata's own (the splash screen gone, the
 * Launcher active), waiting as long as a loaded machine needs instead of a fixed 15 s. Import `test` from here.
 */
export const test = galataTest.extend({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern: none
  waitForApplication: async ({}, use) => {
    await use(async (page: Page, helpers: IJupyterLabPage) => {
      await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: APP_START_MS });
      await helpers.waitForCondition(() => helpers.activity.isTabActive('Launcher'), APP_START_MS);
      if (!(await helpers.isInSimpleMode())) {
        await helpers.activity.activateTab('Launcher');
      }
    });
  }
});

/** Where screenshots are kept as artifacts (look at them). */
export const SCREENSHOTS = path.join(__dirname, '..', 'screenshots');

/** A Bell-pair cell: `%%qrun` on the ideal simulator and a device emulator. */
export function bellCell(backends: string[], shots = 1000, extra = ''): string {
  const flags = backends.map(b => `--backend ${b}`).join(' ');
  return [
    `%%qrun ${flags} --shots ${shots} ${extra}`.trim(),
    'from qiskit import QuantumCircuit',
    'bell = QuantumCircuit(2)',
    'bell.h(0)',
    'bell.cx(0, 1)',
    'bell.measure_all()'
  ].join('\n');
}

/**
 * Create the notebook `name` (one empty code cell, the python3 kernel) in the file browser's folder and open it.
 *
 * Not Galata's `notebook.createNew(name)`: it creates Untitled.ipynb and renames it at once, and the page's own session
 * updates can then race the rename, leaving the server's session (and so the kernel's notebook path) at Untitled.ipynb
 * (seen in the provider and scale specs).
 */
export async function newNotebook(page: IJupyterLabPageFixture, name: string): Promise<void> {
  const notebook = {
    cells: [{ cell_type: 'code', execution_count: null, id: 'first', metadata: {}, outputs: [], source: [] }],
    metadata: {
      kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
  const file = `${await page.filebrowser.getCurrentDirectory()}/${name}`;
  expect(await page.contents.uploadContent(JSON.stringify(notebook), 'text', file)).toBe(true);
  // opened by the command, not by clicking it in the file browser (which another left panel may hide)
  await page.evaluate(async path => {
    const app = (
      window as unknown as { jupyterapp: { commands: { execute(id: string, args: object): Promise<unknown> } } }
    ).jupyterapp;
    await app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
  }, file);
  await expect(page.getByRole('main').getByRole('tab', { name })).toBeVisible();
  expect(await page.notebook.activate(name)).toBe(true);
}

/** Create a notebook whose cells are `sources`, load the extension in the first, and run them all. */
export async function runNotebook(page: IJupyterLabPageFixture, name: string, sources: string[]): Promise<void> {
  await newNotebook(page, name);
  await page.notebook.setCell(0, 'code', '%load_ext qhybrid_lab');
  for (const source of sources) {
    await page.notebook.addCell('code', source);
  }
  await page.notebook.run();
}

/** The first cell output of the page that shows text matching `pattern` (e.g. a budget refusal). */
export function outputWith(page: IJupyterLabPageFixture, pattern: RegExp): Locator {
  return page.locator('.jp-OutputArea-output').getByText(pattern).first();
}

/** Append a cell to the open notebook and run it. */
export async function runCell(page: IJupyterLabPageFixture, source: string): Promise<void> {
  await page.notebook.addCell('code', source);
  const index = (await page.notebook.getCellCount()) - 1;
  await page.notebook.runCell(index);
}

/** Open the qhybrid-lab sidebar (unless it is open already: after a reload JupyterLab restores it) and return it. */
export async function openSidebar(page: IJupyterLabPageFixture): Promise<Locator> {
  const sidebar = page.locator('#qhybrid-lab-sidebar');
  if (!(await sidebar.isVisible())) {
    await page.sidebar.openTab('qhybrid-lab-sidebar');
  }
  await expect(sidebar.getByRole('heading', { name: 'Quantum jobs' })).toBeVisible();
  return sidebar;
}

/** Switch the sidebar to one of its tabs (Queue, Cost guard, Circuits, Compare). */
export async function showTab(sidebar: Locator, name: string): Promise<void> {
  await sidebar.getByRole('tab', { name }).click();
  await expect(sidebar.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
}

/** The Queue row of a job, by circuit and backend (the newest one). */
export function jobRow(sidebar: Locator, circuit: string, backend: string): Locator {
  return sidebar
    .getByRole('list', { name: 'Jobs' })
    .getByRole('listitem', { name: `Job ${circuit} on ${backend}` })
    .first();
}

/** Relative luminance (0 black … 1 white) of a CSS `rgb(...)` colour. */
export function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map(v => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * Restart the open notebook's kernel as a user does (the command, then "Restart" in its dialog). The command asks
 * first, so it is not awaited (it would wait for the dialog). A spec that runs cells after a restart needs
 * `test.use({ kernels: null })`: Galata's kernel tracking answers the restart 201, and JupyterLab then never
 * reconnects.
 */
export async function restartKernel(page: IJupyterLabPageFixture): Promise<void> {
  void page.evaluate(() => {
    const app = (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } })
      .jupyterapp;
    void app.commands.execute('notebook:restart-kernel');
  });
  await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click(); // "Restart"
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
}
