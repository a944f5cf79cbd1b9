import { expect } from '@jupyterlab/galata';
import * as path from 'path';

import {
  bellCell,
  outputWith,
  jobRow,
  luminance,
  openSidebar,
  runCell,
  runNotebook,
  SCREENSHOTS,
  showTab,
  test
} from './helpers';

// One Jupyter server and one run log for all tests: they run in order and each cleans up what it changes.
test.describe.configure({ mode: 'serial' });

test.use({ autoGoto: true });

test('the quickstart notebook: jobs show in Queue and reach done; Circuits, Compare and Cost guard follow', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(300 * 1000);
  // Given the quickstart notebook (aer and the fake_torino emulator, a rehearsed budget), run top to bottom
  const notebook = '01-quickstart.ipynb';
  await page.contents.uploadFile(path.resolve(__dirname, '..', '..', 'notebooks', notebook), `${tmpPath}/${notebook}`);
  await page.notebook.openByPath(`${tmpPath}/${notebook}`);
  await page.notebook.activate(notebook);
  const sidebar = await openSidebar(page);
  const running = page.notebook.run();
  // Then (while it runs) the Bell jobs appear in the queue, from this notebook, and reach done
  const aer = jobRow(sidebar, 'bell', 'aer');
  const emulator = jobRow(sidebar, 'bell', 'fake_torino');
  await expect(aer).toContainText('done', { timeout: 120 * 1000 });
  await expect(emulator).toContainText('done', { timeout: 120 * 1000 });
  await expect(emulator).toContainText('emulator');
  await expect(aer).toContainText('simulator');
  await expect(aer).toContainText(notebook);
  await running;
  await expect(jobRow(sidebar, 'ghz', 'fake_torino')).toBeVisible();
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'queue.png') });

  // And the full record of the emulator job shows transpilation, calibration, timings and counts
  await emulator.getByRole('button', { name: 'Show job bell on fake_torino' }).click();
  for (const section of ['Transpilation', 'Calibration', 'Timings', 'Cost', 'Counts']) {
    await expect(sidebar.getByRole('region', { name: section })).toBeVisible();
  }
  await expect(sidebar.getByRole('region', { name: 'Calibration' })).toContainText('median 2q error');
  await expect(sidebar.getByRole('img', { name: /Histogram of fake_torino/ })).toBeVisible();
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'job-detail.png') });
  await sidebar.getByRole('button', { name: '← All jobs' }).click();

  // And Circuits shows the transpiled depth per backend
  await showTab(sidebar, 'Circuits');
  const circuit = sidebar.getByRole('region', { name: 'Circuit ghz' });
  await expect(circuit.getByRole('row', { name: /fake_torino/ })).toBeVisible();
  await expect(circuit.getByRole('row', { name: /^aer/ })).toBeVisible();
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'circuits.png') });

  // And Compare shows the pair with a Hellinger fidelity between 0 and 1
  await showTab(sidebar, 'Compare');
  const pair = sidebar.getByRole('region', { name: 'Compare bell' }).getByLabel('aer vs fake_torino');
  await expect(pair).toContainText('Hellinger fidelity');
  // the value comes first, then its 95% interval: "0.9312 [0.9205, 0.9418]"
  const fidelity = parseFloat((await pair.locator('.qh-ComparePanel-metricValue').first().textContent()) ?? '');
  expect(fidelity).toBeGreaterThan(0.5);
  expect(fidelity).toBeLessThanOrEqual(1);
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'compare.png') });

  // And the Cost guard lists the 100 000-shot rehearsal run the notebook's budget refused
  await showTab(sidebar, 'Cost guard');
  const blocked = sidebar.getByRole('list', { name: 'Blocked submissions' }).getByRole('listitem').first();
  await expect(blocked).toContainText('ghz on fake_torino');
  await expect(blocked.locator('.qh-CostGuardPanel-reason')).toContainText(/budget/i);
});

test('a budget set in the Cost guard blocks a rehearsal run, and the panel says why', async ({ page }) => {
  const sidebar = await openSidebar(page);
  await showTab(sidebar, 'Cost guard');
  // Given a total budget of one cent, set from the panel
  await sidebar.getByRole('spinbutton', { name: 'Budget limit' }).fill('0.01');
  await sidebar.getByRole('combobox', { name: 'Budget period' }).selectOption('total');
  await sidebar.getByRole('button', { name: 'Set budget' }).click();
  await expect(sidebar.getByRole('meter', { name: 'Total · all backends budget' })).toBeVisible();

  // When a notebook in rehearsal mode submits an emulator run (counted at the real device's price)
  await runNotebook(page, 'budget.ipynb', ['%qbudget --rehearse', bellCell(['fake_manila'], 4000)]);
  await expect(outputWith(page, /budget/i)).toBeVisible();

  // Then the Cost guard panel shows rehearsal mode and the blocked submission with its reason
  await expect(sidebar.getByRole('status')).toContainText('rehearsal (hardware-equivalent)');
  const blocked = sidebar.getByRole('list', { name: 'Blocked submissions' }).getByRole('listitem').first();
  await expect(blocked).toContainText('bell on fake_manila');
  await expect(blocked.locator('.qh-CostGuardPanel-reason')).toContainText(/budget/i);
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'cost-guard-blocked.png') });

  // Clean up for the next tests: remove the budget from the panel, leave rehearsal mode
  await sidebar.getByRole('button', { name: 'Remove the Total · all backends budget' }).click();
  await expect(sidebar.getByText('No budget set')).toBeVisible();
  await runCell(page, '%qbudget --no-rehearse');
  await expect(sidebar.getByRole('status')).toHaveCount(0, { timeout: 15 * 1000 });
});

test('a job that finishes in a kernel shows as done in the Queue at the next poll', async ({ page }) => {
  // Given the sidebar open on the Queue, and every poll of the Queue's jobs table counted
  const sidebar = await openSidebar(page);
  let polls = 0;
  page.on('request', request => {
    if (/\/qhybrid-lab\/api\/table\?/.test(request.url())) {
      polls += 1;
    }
  });
  // When a cell runs a job to the end (--wait returns once the run log says done)
  await runNotebook(page, 'latency.ipynb', [
    [
      '%%qrun --backend aer --shots 100 --wait',
      'from qiskit import QuantumCircuit',
      'tick = QuantumCircuit(1)',
      'tick.x(0)',
      'tick.measure_all()'
    ].join('\n')
  ]);
  // Then the sidebar shows it done by the first poll that starts after the cell finished (one may be in flight),
  // however fast or slow this machine is: the wait counts polls, not seconds
  const started = Date.now();
  const before = polls;
  await expect(jobRow(sidebar, 'tick', 'aer')).toContainText('done', { timeout: 60 * 1000 });
  const after = polls - before;
  console.log(`queue showed the finished job after ${Date.now() - started} ms and ${after} poll(s)`);
  expect(after).toBeLessThanOrEqual(2);
});

/** A 12-qubit circuit that takes about a minute on an emulator with device noise: long enough to cancel. */
const SLOW_CELL = [
  // One statement per line: the editor would re-indent the body of a multi-line loop as it is typed.
  '%%qrun --backend fake_torino --shots 4000',
  'from qiskit import QuantumCircuit',
  'slow = QuantumCircuit(12, name="slow")',
  'layers = [([slow.rx(0.3 + 0.1 * q + k, q) for q in range(12)], [slow.cx(q, q + 1) for q in range(0, 11, 2 if k % 2 == 0 else 1)]) for k in range(8)]',
  'slow.measure_all()'
].join('\n');

test('a long emulator job is cancelled from the sidebar', async ({ page }) => {
  // Given a long emulator job, running
  await runNotebook(page, 'slow.ipynb', [SLOW_CELL]);
  const sidebar = await openSidebar(page);
  const row = jobRow(sidebar, 'slow', 'fake_torino');
  await expect(row).toContainText(/pending|queued|running/);
  await expect(row).toContainText('running', { timeout: 60 * 1000 });
  // When its Cancel button is pressed
  await row.getByRole('button', { name: 'Cancel job slow on fake_torino' }).click();
  // Then the owning kernel cancels it and the queue shows it cancelled, with no cancel button left
  await expect(row).toContainText('cancelled', { timeout: 30 * 1000 });
  await expect(row.getByRole('button', { name: /Cancel job/ })).toHaveCount(0);
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'cancelled.png') });
});

test('a finished job raises a notification, and the sidebar renders in the dark theme', async ({ page }) => {
  // Given the settings of the extension are registered (schema/plugin.json)
  const settings = await page.request.get('/lab/api/settings/qhybrid-lab:plugin');
  expect(settings.ok()).toBe(true);
  const schema = (await settings.json()).schema;
  expect(Object.keys(schema.properties).sort()).toEqual(['notifications', 'pollInterval']);
  // When a job finishes while the sidebar is open
  await page.theme.setDarkTheme();
  const sidebar = await openSidebar(page);
  await runNotebook(page, 'dark.ipynb', [bellCell(['aer'])]);
  // Then JupyterLab notifies it, and the queue shows it done
  await expect(page.getByRole('alert').filter({ hasText: 'Job bell on aer done' }).first()).toBeVisible();
  await expect(jobRow(sidebar, 'bell', 'aer')).toContainText('done');
  const colours = await sidebar.evaluate(element => {
    const style = getComputedStyle(element);
    const title = element.querySelector('.qh-Sidebar-title') as HTMLElement;
    return { background: style.backgroundColor, text: getComputedStyle(title).color };
  });
  // And the panel follows the theme's --jp-* variables: dark background, light text
  expect(luminance(colours.background)).toBeLessThan(0.1);
  expect(luminance(colours.text)).toBeGreaterThan(0.5);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'dark-queue.png') });
  await showTab(sidebar, 'Compare');
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'dark-compare.png') });
  await showTab(sidebar, 'Cost guard');
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'dark-cost-guard.png') });
  await page.theme.setLightTheme();
});

/** A one-parameter circuit swept over three angles (one counts dict per point). */
const SWEEP_CELLS = [
  'angles = [[0.0], [3.14159], [1.5708]]',
  [
    '%%qrun --backend aer --shots 200 --sweep angles --wait',
    'from qiskit import QuantumCircuit',
    'from qiskit.circuit import Parameter',
    'theta = Parameter("theta")',
    'rot = QuantumCircuit(1)',
    'rot.ry(theta, 0)',
    'rot.measure_all()'
  ].join('\n')
];

test('a sweep job shows its points, a table of their values and the histogram of a chosen point', async ({ page }) => {
  // Given a sweep of three angles run on aer
  const sidebar = await openSidebar(page);
  await runNotebook(page, 'sweep.ipynb', SWEEP_CELLS);
  const row = jobRow(sidebar, 'rot', 'aer');
  await expect(row).toContainText('done', { timeout: 60 * 1000 });
  // Then its Queue row says how many points it has
  await expect(row).toContainText('3 pts');
  // When its full record is opened
  await row.getByRole('button', { name: 'Show job rot on aer' }).click();
  // Then it shows 3 points over theta, their values, and the histogram of point 0 (theta = 0: always 0)
  const sweep = sidebar.getByRole('region', { name: 'Sweep' });
  await expect(sweep).toContainText('3 points');
  await expect(sweep).toContainText('theta');
  await expect(sweep.getByRole('table', { name: 'Sweep points' }).getByRole('row')).toHaveCount(4);
  const histogram = sidebar.getByRole('img', { name: 'Histogram of aer point 0' });
  await expect(histogram).toBeVisible();
  await expect(histogram.locator('.qh-Histogram-label')).toHaveText(['0']);
  await expect(histogram.locator('.qh-Histogram-value')).toHaveText(['1.000']);
  // And choosing point 1 (theta = π) draws its counts instead: always 1
  await sidebar.getByRole('combobox', { name: 'Point' }).selectOption('1');
  const flipped = sidebar.getByRole('img', { name: 'Histogram of aer point 1' });
  await expect(flipped.locator('.qh-Histogram-label')).toHaveText(['1']);
  await sidebar.getByRole('combobox', { name: 'Point' }).selectOption('0');
  await expect(histogram).toBeVisible();
  await sweep.evaluate(element => element.scrollIntoView({ block: 'start' }));
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'sweep-detail.png') });
  await sidebar.getByRole('button', { name: '← All jobs' }).click();
});
