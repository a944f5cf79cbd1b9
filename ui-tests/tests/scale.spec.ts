import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import * as path from 'path';

import { jobRow, openSidebar, restartKernel, runCell, runNotebook, SCREENSHOTS, showTab, test } from './helpers';

// One Jupyter server and one run log for all tests: they run in order and each cleans up what it changes.
test.describe.configure({ mode: 'serial' });

test.use({ autoGoto: true });

/**
 * A 16-qubit circuit with 100 000 shots on an emulator with device noise (simulated shot by shot: about 50 ms a shot on
 * a 2-core machine, over an hour in all): it runs far longer than any test that starts it, and every such test ends it
 * (cancel, or a kernel restart, which stops its workers).
 */
function longCell(name: string): string {
  return [
    // One statement per line: the editor would re-indent the body of a multi-line loop as it is typed.
    '%%qrun --backend fake_torino --shots 100000',
    'from qiskit import QuantumCircuit',
    `${name} = QuantumCircuit(16, name="${name}")`,
    `layers = [([${name}.rx(0.3 + 0.1 * q + k, q) for q in range(16)], [${name}.cx(q, q + 1) for q in range(0, 15, 2 if k % 2 == 0 else 1)]) for k in range(8)]`,
    `${name}.measure_all()`
  ].join('\n');
}

/** 150 quick Bell circuits, quick0 … quick149 (names no other spec uses), as one `%%qrun` that returns when done. */
const QUICK_CELL = [
  '%%qrun --backend aer --shots 32 --seed 1 --wait',
  'from qiskit import QuantumCircuit',
  'circuits = {f"quick{i}": QuantumCircuit(2, name=f"quick{i}") for i in range(150)}',
  '_ = [(c.h(0), c.cx(0, 1), c.measure_all()) for c in circuits.values()]',
  'circuits'
].join('\n');

/** The "N active · M in the run log" of the sidebar's header, as "N active · M". */
async function headerCounts(sidebar: Locator): Promise<string> {
  const text = (await sidebar.locator('.qh-Sidebar-header').textContent()) ?? '';
  const match = /([\d,]+) active · ([\d,]+) in the run log/.exec(text);
  expect(match, `header says "${text}"`).not.toBeNull();
  return `${match![1].replace(/,/g, '')} active · ${match![2].replace(/,/g, '')}`;
}

/** What the server's jobs table says of the whole run log (the header's source), as "N active · M". */
async function overall(page: IJupyterLabPageFixture): Promise<string> {
  const answer = await page.request.get('/qhybrid-lab/api/table?limit=1');
  expect(answer.ok()).toBe(true);
  const counts = (await answer.json()).overall;
  return `${counts.active} active · ${counts.total}`;
}

/** The names of the job rows the Queue shows (groups' rows aside). */
async function jobNames(sidebar: Locator): Promise<string[]> {
  const rows = sidebar.getByRole('list', { name: 'Jobs' }).locator('li.qh-QueuePanel-row:not(.qh-QueuePanel-group)');
  return (await rows.evaluateAll(items => items.map(item => item.getAttribute('aria-label') ?? ''))).sort();
}

test('a long job followed by 150 quick ones stays in the Queue, counted and cancellable; filters and search narrow it', async ({
  page
}) => {
  test.setTimeout(600 * 1000);
  // Given a long emulator job, running, and then 150 quick jobs from the same notebook, all done
  await runNotebook(page, 'scale.ipynb', [longCell('long')]);
  const sidebar = await openSidebar(page);
  const long = jobRow(sidebar, 'long', 'fake_torino');
  await expect(long).toContainText('running', { timeout: 120 * 1000 });
  await runCell(page, QUICK_CELL);
  const group = sidebar.getByRole('listitem', { name: /^Group quick0, quick1, quick2, … \(150 jobs\)/ });
  // (while some run, the group has a row in the Active section and one above its finished jobs: then one)
  await expect(group.filter({ hasText: '150/150 done' })).toHaveCount(1, { timeout: 300 * 1000 });
  await expect(group).toHaveCount(1);

  // Then the long job is still in the Queue, pinned in its Active section above the 150 newer jobs
  await expect(long).toBeVisible();
  await expect(long).toContainText('running');
  const active = sidebar.getByRole('listitem', { name: 'Active jobs' });
  await expect(active).toContainText(/Active · [1-9]/);
  expect(
    await sidebar
      .getByRole('list', { name: 'Jobs' })
      .locator('li')
      .evaluateAll(items => items.map(item => item.getAttribute('aria-label')))
  ).toEqual(expect.arrayContaining(['Active jobs', 'Job long on fake_torino', 'Finished jobs']));
  // And counted: the header's "N active · M in the run log" is the server's count of the whole log, at least 1 active
  const server = await overall(page);
  expect(server).toMatch(/^[1-9]\d* active/);
  await expect.poll(() => headerCounts(sidebar), { timeout: 30 * 1000 }).toBe(server);
  await expect(sidebar.getByRole('button', { name: /^Show running jobs/ })).toContainText(/running [1-9]/);
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'scale-queue.png') });

  // When the Queue is filtered to running jobs, it shows the long job and no job that finished
  await sidebar.getByRole('button', { name: /^Show running jobs/ }).click();
  await expect(sidebar.getByRole('listitem', { name: 'Finished jobs' })).toHaveCount(0);
  expect(await jobNames(sidebar)).toContain('Job long on fake_torino');
  for (const name of await jobNames(sidebar)) {
    await expect(sidebar.getByRole('listitem', { name }).first()).toContainText(/pending|queued|running/);
  }
  await sidebar.getByRole('button', { name: /^Show running jobs/ }).click();

  // And a search for one of the 150 shows that job alone (under its group's row, opened): the search narrows the
  // pinned active jobs too
  await sidebar.getByRole('searchbox', { name: 'Search jobs' }).fill('quick149');
  await expect.poll(() => jobNames(sidebar), { timeout: 30 * 1000 }).toEqual(['Job quick149 on aer']);
  await expect(sidebar.getByRole('listitem', { name: /^Group quick0, quick1, quick2/ })).toContainText('scale.ipynb');
  await expect(sidebar.getByLabel('Pages')).toContainText('1–1 of 1');
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'scale-search.png') });

  // And a filter by backend narrows the finished jobs to that backend
  await sidebar.getByRole('searchbox', { name: 'Search jobs' }).fill('');
  await sidebar.getByRole('button', { name: 'More filters' }).click();
  await sidebar.getByRole('combobox', { name: 'Filter by backend' }).selectOption('fake_torino');
  await expect
    .poll(async () => (await jobNames(sidebar)).filter(n => !n.endsWith('on fake_torino')), {
      timeout: 30 * 1000
    })
    .toEqual([]);
  await expect(sidebar.getByRole('button', { name: 'More filters' })).toContainText('Filters (1)');
  await sidebar.getByRole('combobox', { name: 'Filter by backend' }).selectOption('');
  await sidebar.getByRole('button', { name: 'More filters' }).click();

  // When the long job's Cancel button is pressed, below 150 newer jobs
  await long.getByRole('button', { name: 'Cancel job long on fake_torino' }).click();
  // Then it is cancelled and leaves the Active section (a finished job is paged with the others, behind the 150
  // newer ones): the cancelled chip counts it, and shows it
  await expect(sidebar.getByRole('listitem', { name: 'Active jobs' })).toHaveCount(0, { timeout: 60 * 1000 });
  await sidebar.getByRole('button', { name: /^Show cancelled jobs/ }).click();
  await expect(jobRow(sidebar, 'long', 'fake_torino')).toContainText('cancelled');
  await expect(jobRow(sidebar, 'long', 'fake_torino').getByRole('button', { name: /Cancel job/ })).toHaveCount(0);
  await sidebar.getByRole('button', { name: /^Show cancelled jobs/ }).click();
  const after = await overall(page);
  await expect.poll(() => headerCounts(sidebar), { timeout: 30 * 1000 }).toBe(after);
  await page.notebook.close(true);
});

test('a kernel restart marks its running job interrupted, in the sidebar and in the cell', async ({ page }) => {
  test.setTimeout(300 * 1000);
  // Given a long emulator job, running in a notebook's kernel
  await runNotebook(page, 'restart.ipynb', [longCell('restarted')]);
  const sidebar = await openSidebar(page);
  const row = jobRow(sidebar, 'restarted', 'fake_torino');
  await expect(row).toContainText('running', { timeout: 120 * 1000 });
  const cellView = page.locator('.jp-NotebookPanel:visible .jp-Cell').nth(1).locator('.jp-Cell-outputArea');
  await expect(cellView).toContainText(/running|queued|pending/);

  // When the user restarts the kernel
  await restartKernel(page);

  // Then the sidebar shows the job interrupted, with the kernel restart as its reason
  await expect(row).toContainText('interrupted', { timeout: 60 * 1000 });
  await row.getByRole('button', { name: 'Show job restarted on fake_torino' }).click();
  await expect(sidebar).toContainText(/kernel/i);
  await expect(sidebar).not.toContainText('exited unexpectedly');
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'restart-detail.png') });
  await sidebar.getByRole('button', { name: '← All jobs' }).click();
  // And the cell's live view became one clear line instead of a frozen view
  await expect(cellView).toContainText('the kernel restarted; this job was interrupted — see the sidebar.', {
    timeout: 60 * 1000
  });
  await expect(cellView.locator('.jupyter-widgets')).toHaveCount(0);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'restart-cell.png') });
  await page.notebook.close(true);
});

test('%qjobs with a blocked row shows its dollar amounts as text, not as MathJax, and fits the cell', async ({
  page
}) => {
  try {
    // Given a rehearsal budget of one cent that blocks an emulator run, and %qjobs after it, in one notebook (the
    // refusal is caught in its cell, so "run all" goes on: a second notebook made under load hung in Galata's
    // createNew, waiting for a kernel dialog that never came)
    await runNotebook(page, 'blocked.ipynb', [
      '%qbudget --rehearse',
      '%qbudget --limit 0.01 --per total',
      [
        'from qiskit import QuantumCircuit',
        'bell = QuantumCircuit(2)',
        'bell.h(0)',
        'bell.cx(0, 1)',
        'bell.measure_all()'
      ].join('\n'),
      'import contextlib, qhybrid_lab\nwith contextlib.suppress(Exception): qhybrid_lab.run(bell, "fake_manila", shots=4000)',
      // When %qjobs lists it
      '%qjobs --status blocked --limit 5'
    ]);
    const output = page.locator('.jp-NotebookPanel:visible .jp-Cell').nth(5).locator('.jp-Cell-outputArea');
    const table = output.locator('table');
    await expect(table).toBeVisible();
    // Then the blocked row's reason reads with its $ amounts, and nothing was typeset as LaTeX
    await expect(table).toContainText('blocked');
    await expect(table).toContainText('budget');
    await expect(table).toContainText('$');
    await expect(output.locator('mjx-container, .MathJax, .MathJax_Display')).toHaveCount(0);
    // And the table fits the cell: wider content scrolls inside its own box
    const fit = await output.evaluate(element => {
      const wrap = element.querySelector('.qh-Table-wrap') as HTMLElement;
      return { wrap: wrap.getBoundingClientRect().right, cell: element.getBoundingClientRect().right };
    });
    expect(fit.wrap).toBeLessThanOrEqual(fit.cell + 1);
    await output.screenshot({ path: path.join(SCREENSHOTS, 'qjobs-blocked.png') });
    await page.notebook.close(true);
  } finally {
    await page.request.delete('/qhybrid-lab/api/budgets?period=total');
    await page.request.put('/qhybrid-lab/api/budgets', { data: { rehearse: false } });
  }
  // And the sidebar's Cost guard is back to no budget
  const sidebar = await openSidebar(page);
  await showTab(sidebar, 'Cost guard');
  await expect(sidebar.getByText('No budget set')).toBeVisible();
  await showTab(sidebar, 'Queue');
});
