import { expect } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import * as path from 'path';

import { openSidebar, runNotebook, SCREENSHOTS, showTab, test } from './helpers';

// Galata's user mock answers every URL matching /api/me, which /qhybrid-lab/api/metrics also matches: off.
test.use({ autoGoto: true, mockUser: false });

/** A one-parameter loop with no iteration limit, on a thread (wait=False): it runs until it is stopped. */
const LOOP_CELLS = [
  [
    'import qhybrid_lab',
    'from qiskit import QuantumCircuit',
    'from qiskit.circuit import Parameter',
    'theta = Parameter("theta")',
    'ring = QuantumCircuit(1, name="ring")',
    'ring.ry(theta, 0)',
    'ring.measure_all()'
  ].join('\n'),
  // One line: the editor would re-indent a call spread over several lines as it is typed. The cost pauses 50 ms a
  // call (the standard error's bootstrap calls it many times an evaluation), so the loop records a few iterations a
  // second at most: unpaused it recorded 5000 in 80 s, and the Jupyter server fell behind.
  'import time; loop = qhybrid_lab.minimize(ring, [0.3], cost=lambda counts: time.sleep(0.05) or counts.get("1", 0) / sum(counts.values()), backend="aer", method="SPSA", max_iterations=None, shots=256, seed=1, experiment="live-loop", wait=False)'
];

/** The number a stat of the experiment's detail shows ("iterations", "jobs", ...). */
async function stat(detail: Locator, name: string): Promise<number> {
  const value = detail
    .locator('.qh-ExperimentsPanel-stat')
    .filter({ has: detail.page().locator('.qh-ExperimentsPanel-statName', { hasText: new RegExp(`^${name}$`) }) })
    .locator('.qh-ExperimentsPanel-statValue');
  return Number(((await value.textContent()) ?? '').replace(/[^\d.]/g, ''));
}

test('the Experiments and Metrics panels follow a running loop live, and Stop ends it', async ({ page }) => {
  test.setTimeout(300 * 1000);
  try {
    // Given a minimize() loop with no iteration limit, running on a thread of the kernel
    await runNotebook(page, 'loop.ipynb', LOOP_CELLS);
    const sidebar = await openSidebar(page);
    await showTab(sidebar, 'Experiments');
    // When its experiment is opened in the Experiments panel
    await sidebar.getByRole('button', { name: 'Show experiment live-loop' }).click();
    const detail = sidebar.getByLabel('Experiment live-loop');
    await expect(detail.locator('.qh-ExperimentsPanel-header')).toContainText('running');
    // Then its iterations and its convergence plot grow while the panel is open, without any action of the user
    await expect.poll(() => stat(detail, 'iterations'), { timeout: 120 * 1000 }).toBeGreaterThanOrEqual(3);
    const seen = await stat(detail, 'iterations');
    await expect.poll(() => stat(detail, 'iterations'), { timeout: 120 * 1000 }).toBeGreaterThan(seen);
    await expect(detail.getByRole('img', { name: /^Convergence: \d+ iterations, best / })).toBeVisible();
    await expect(detail).toContainText('Where the time went');
    expect(await stat(detail, 'jobs')).toBeGreaterThan(0); // SPSA evaluates its two points in one sweep job
    await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'experiment-live.png') });

    // And the Metrics panel counts the loop's jobs on aer, and counts more as it goes on
    await showTab(sidebar, 'Metrics');
    const aer = sidebar.getByRole('listitem', { name: 'Metrics of aer' });
    const submissions = async () =>
      Number(
        await aer
          .locator('.qh-MetricsPanel-figure')
          .filter({ hasText: 'submissions' })
          .locator('.qh-MetricsPanel-figureValue')
          .textContent()
      );
    await expect.poll(submissions, { timeout: 60 * 1000 }).toBeGreaterThan(0);
    const before = await submissions();
    await expect.poll(submissions, { timeout: 120 * 1000 }).toBeGreaterThan(before);
    await expect(aer.locator('.qh-MetricsPanel-latency')).toContainText('execution');
    await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'metrics-live.png') });

    // When the user presses Stop in the Experiments panel
    await showTab(sidebar, 'Experiments');
    const again = sidebar.getByLabel('Experiment live-loop');
    if (!(await again.isVisible())) {
      await sidebar.getByRole('button', { name: 'Show experiment live-loop' }).click();
    }
    await again.getByRole('button', { name: 'Stop' }).click();
    // Then the loop ends as stopped, and says so
    await expect(again.locator('.qh-ExperimentsPanel-header')).toContainText('stopped', { timeout: 60 * 1000 });
    await expect(again.getByRole('button', { name: /^Stop/ })).toHaveCount(0);
    await expect(again).toContainText(/stop/i); // its message says why it ended
    await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'experiment-stopped.png') });
  } finally {
    // a loop with no iteration limit must not outlive its test (it would load the machine for the next ones)
    await page.request.post('/qhybrid-lab/api/experiments/live-loop/stop');
  }
});
