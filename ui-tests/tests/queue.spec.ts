import { expect } from '@jupyterlab/galata';
import { Locator, Page } from '@playwright/test';
import * as path from 'path';

import { jobRow, openSidebar, runCell, runNotebook, SCREENSHOTS, test } from './helpers';

// One Jupyter server and one run log for these tests: they run in order and build on each other's jobs.
test.describe.configure({ mode: 'serial' });

test.use({ autoGoto: true });

/** A 12-qubit noisy emulator job that runs for minutes on this machine: it is cancelled, never awaited. */
const LONG_CELL = [
  '%%qrun --backend fake_torino --shots 20000',
  'from qiskit import QuantumCircuit',
  'longjob = QuantumCircuit(12, name="longjob")',
  'layers = [([longjob.rx(0.3 + 0.1 * q + k, q) for q in range(12)], [longjob.cx(q, q + 1) for q in range(0, 11, 2 if k % 2 == 0 else 1)]) for k in range(24)]',
  'longjob.measure_all()'
].join('\n');

/** 150 quick jobs, each its own run() call (its own group), newer than the long job. */
const QUICK_CELL = [
  'import qhybrid_lab',
  'from qiskit import QuantumCircuit',
  'quick = QuantumCircuit(1, name="quick")',
  'quick.x(0)',
  'quick.measure_all()',
  'quicks = [qhybrid_lab.run(quick, "aer", shots=10, tags=["quick"]) for _ in range(150)]',
  'done = [g.wait() for g in quicks]'
].join('\n');

/** One run() of 150 circuits: one group of 150 jobs, in submission order c000 … c149. */
const BATCH_CELL = [
  'import qhybrid_lab',
  'from qiskit import QuantumCircuit',
  'quick = QuantumCircuit(1, name="quick")',
  'quick.x(0)',
  'quick.measure_all()',
  'batch = {f"c{i:03d}": quick for i in range(150)}',
  'group = qhybrid_lab.run(batch, "aer", shots=10, tags=["batch"])',
  'finished = group.wait()'
].join('\n');

/** The header's "N active · M in the run log". */
function summary(sidebar: Locator): Locator {
  return sidebar.locator('.qh-Sidebar-summary');
}

/** Drag the left sidebar's edge so that the panel is `width` pixels wide. */
async function widenSidebar(page: Page, width: number): Promise<void> {
  const panel = page.locator('#jp-left-stack');
  const box = (await panel.boundingBox())!;
  const handle = page.locator('#jp-main-split-panel > .lm-SplitPanel-handle').first();
  const grip = (await handle.boundingBox())!;
  await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + width, grip.y + grip.height / 2, { steps: 5 });
  await page.mouse.up();
}

test('a long job followed by 150 quick ones stays visible, counted and cancellable', async ({ page }) => {
  test.setTimeout(600 * 1000);
  // Given a long emulator job, running
  const sidebar = await openSidebar(page);
  await runNotebook(page, 'long.ipynb', [LONG_CELL]);
  const long = jobRow(sidebar, 'longjob', 'fake_torino');
  await expect(long).toContainText('running', { timeout: 120 * 1000 });
  // When 150 quick jobs are submitted after it and finish (far more than one page of the Queue)
  await runCell(page, QUICK_CELL);
  await expect(summary(sidebar)).toHaveText(/^1 active · \d+ in the run log/, { timeout: 300 * 1000 });
  await expect(long).toContainText('running');
  // Then the long job is still in the Queue, pinned among the active jobs, and the header counts it
  const inLog = Number((await summary(sidebar).textContent())!.match(/(\d+) in the run log/)![1]);
  expect(inLog).toBeGreaterThanOrEqual(151);
  await expect(sidebar.getByRole('listitem', { name: 'Active jobs' })).toContainText('Active · 1');
  await expect(sidebar.locator('.qh-QueuePanel-range')).toHaveText(`1–50 of ${inLog}`);
  // And its name is not cut to a letter next to its Cancel button
  const name = long.locator('.qh-QueuePanel-name');
  expect(await name.evaluate(e => e.scrollWidth <= e.clientWidth)).toBe(true);
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'queue-long-and-150.png') });
  // And it stays pinned on an older page too
  await sidebar.getByRole('button', { name: 'Older jobs' }).click();
  await expect(sidebar.locator('.qh-QueuePanel-range')).toHaveText(/^51–100 of/);
  await expect(long).toBeVisible();
  await sidebar.getByRole('button', { name: 'Newer jobs' }).click();
  await expect(sidebar.locator('.qh-QueuePanel-range')).toHaveText(/^1–50 of/);

  // When the sidebar is widened, more columns appear (shots, created, cost)
  await widenSidebar(page, 620);
  await expect(long.locator('.qh-QueuePanel-col.qh-mod-shots')).toBeVisible();
  await expect(long.locator('.qh-QueuePanel-col.qh-mod-shots')).toHaveText('20000 shots');
  await expect(long.locator('.qh-QueuePanel-col.qh-mod-created')).toBeVisible();
  await expect(long.locator('.qh-QueuePanel-col.qh-mod-cost')).toBeVisible();
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'queue-wide.png') });
  await page.theme.setDarkTheme();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'dark-queue-wide.png') });
  await page.theme.setLightTheme();
  await widenSidebar(page, 300);

  // When its Cancel button is pressed, it is cancelled and the header says 0 active
  await long.getByRole('button', { name: 'Cancel job longjob on fake_torino' }).click();
  await expect(long).toContainText('cancelled', { timeout: 60 * 1000 });
  await expect(summary(sidebar)).toHaveText(/^0 active/);
});

test('a 150-circuit run is one group row, opened in submission order; filters and search narrow the Queue', async ({
  page
}) => {
  test.setTimeout(600 * 1000);
  const sidebar = await openSidebar(page);
  // Given a run of 150 circuits, finished
  await runNotebook(page, 'batch.ipynb', [BATCH_CELL]);
  const group = sidebar.getByRole('listitem', { name: /^Group c000, c001, c002, … \(150 jobs\)/ });
  await expect(group).toContainText('150/150 done', { timeout: 300 * 1000 });
  // Then it is one collapsed row; opening it shows its jobs in submission order
  await expect(jobRow(sidebar, 'c000', 'aer')).toHaveCount(0);
  await group.getByRole('button', { name: /^Open group/ }).click();
  const names = sidebar.locator('.qh-QueuePanel-row.qh-mod-grouped .qh-QueuePanel-name');
  await expect(names.first()).toHaveText('c000');
  expect((await names.allTextContents()).slice(0, 5)).toEqual(['c000', 'c001', 'c002', 'c003', 'c004']);
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'queue-group-open.png') });
  await group.getByRole('button', { name: /^Close group/ }).click();
  await expect(jobRow(sidebar, 'c000', 'aer')).toHaveCount(0);

  const range = sidebar.locator('.qh-QueuePanel-range');
  const unfiltered = (await range.textContent())!;
  // When the Queue is searched for a name, only matching jobs are left
  const search = sidebar.getByRole('searchbox', { name: 'Search jobs' });
  await search.fill('longjob');
  await expect(sidebar.locator('.qh-QueuePanel-range')).toHaveText('1–1 of 1');
  await expect(jobRow(sidebar, 'longjob', 'fake_torino')).toBeVisible();
  await expect(sidebar.getByRole('button', { name: 'Show done jobs' })).toHaveCount(0);
  await search.fill('');
  await expect(range).toHaveText(unfiltered);

  // And the status chips filter by state, with the server's counts
  const badges = sidebar.locator('.qh-QueuePanel-row .qh-StatusBadge');
  await sidebar.getByRole('button', { name: 'Show cancelled jobs' }).click();
  await expect(jobRow(sidebar, 'longjob', 'fake_torino')).toBeVisible();
  await expect(range).not.toHaveText(unfiltered);
  expect(new Set(await badges.allTextContents())).toEqual(new Set(['cancelled']));
  await sidebar.getByRole('button', { name: 'Show cancelled jobs' }).click();

  // And the tag, backend and kind filters narrow it
  await sidebar.getByRole('button', { name: 'More filters' }).click();
  await sidebar.getByRole('combobox', { name: 'Filter by tag' }).selectOption('quick');
  await expect(range).toHaveText('1–50 of 150');
  await expect(sidebar.getByRole('button', { name: 'Show done jobs' })).toHaveText('done 150');
  await sidebar.getByRole('combobox', { name: 'Filter by tag' }).selectOption('');
  await sidebar.getByRole('combobox', { name: 'Filter by kind' }).selectOption('emulator');
  await expect(jobRow(sidebar, 'longjob', 'fake_torino')).toBeVisible();
  await expect(range).not.toHaveText(unfiltered);
  const kinds = sidebar.locator('.qh-QueuePanel-row .qh-QueuePanel-kind');
  expect(new Set(await kinds.allTextContents())).toEqual(new Set(['emulator']));
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'queue-filtered.png') });
  await sidebar.getByRole('combobox', { name: 'Filter by kind' }).selectOption('');

  // When finished jobs are cleared from view, none is left, and showing them again brings them back
  await sidebar.getByRole('button', { name: 'Clear finished' }).click();
  await expect(sidebar.getByText('No job matches these filters.')).toBeVisible();
  await expect(summary(sidebar)).toHaveText(/in the run log/);
  await sidebar.getByRole('button', { name: 'Show them' }).click();
  await expect(range).toHaveText(unfiltered);
});

/** 20 noisy 10-qubit emulator jobs in one group: long enough to cancel as a group. */
const SLOW_GROUP_CELL = [
  'import qhybrid_lab',
  'from qiskit import QuantumCircuit',
  'slowc = QuantumCircuit(10, name="slowc")',
  'layers = [([slowc.rx(0.2 * q + k, q) for q in range(10)], [slowc.cx(q, q + 1) for q in range(9)]) for k in range(16)]',
  'slowc.measure_all()',
  'slow_group = qhybrid_lab.run({f"s{i:02d}": slowc for i in range(20)}, "fake_torino", shots=8000)'
].join('\n');

test('a group of unfinished jobs is cancelled from its group row', async ({ page }) => {
  test.setTimeout(300 * 1000);
  const sidebar = await openSidebar(page);
  // Given a group of 20 emulator jobs, unfinished
  await runNotebook(page, 'slow-group.ipynb', [SLOW_GROUP_CELL]);
  const group = sidebar
    .getByRole('list', { name: 'Jobs' })
    .getByRole('listitem', { name: /^Group s00, s01, s02, … \(20 jobs\)/ })
    .first();
  const cancel = group.getByRole('button', { name: /^Cancel group/ });
  await expect(cancel).toBeVisible({ timeout: 60 * 1000 });
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'queue-group-active.png') });
  // When its Cancel button is pressed
  await cancel.click();
  // Then none of its jobs is left active: the group row has no cancel button, and the header says 0 active
  await expect(summary(sidebar)).toHaveText(/^0 active/, { timeout: 120 * 1000 });
  await expect(group).toContainText('cancelled');
  await expect(cancel).toHaveCount(0);
});
