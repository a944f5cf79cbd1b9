import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import * as path from 'path';

import { jobRow, openSidebar, outputWith, restartKernel, runCell, runNotebook, SCREENSHOTS, test } from './helpers';

// One Jupyter server and one run log for all tests: they run in order and each cleans up what it changes.
test.describe.configure({ mode: 'serial' });

// `kernels: null`: Galata's kernel tracking proxies every POST under /api/kernels and answers it 201 Created, a
// restart too, which JupyterLab rejects ("Invalid response: 201 Created"): the page then never reconnects to the
// restarted kernel and no cell runs again. Without the tracking, the test shuts down the kernels it started itself.
test.use({ autoGoto: true, kernels: null });

async function kernelIds(page: IJupyterLabPageFixture): Promise<string[]> {
  const kernels = (await (await page.request.get('/api/kernels')).json()) as { id: string }[];
  return kernels.map(k => k.id);
}

/**
 * A cell that scripts the loopback Amazon Braket service the test server started (jupyter_server_test_config.py; the
 * kernel inherits its URL as AWS_ENDPOINT_URL_BRAKET): `body` is posted to `/_loopback/<what>`.
 */
function loopbackCell(what: 'script' | 'release', body: Record<string, unknown>): string {
  return [
    'import os, urllib.request',
    `_ = urllib.request.urlopen(urllib.request.Request(os.environ["AWS_ENDPOINT_URL_BRAKET"] + "/_loopback/${what}", data=${JSON.stringify(JSON.stringify(body))}.encode(), method="POST"), timeout=30).read()`,
    `print("loopback ${what}: ok")`
  ].join('\n');
}

const BRAKET_CELL = [
  '%%qrun --backend braket:sv1 --shots 200',
  'from qiskit import QuantumCircuit',
  'awsbell = QuantumCircuit(2, name="awsbell")',
  'awsbell.h(0)',
  'awsbell.cx(0, 1)',
  'awsbell.measure_all()'
].join('\n');

test('a Braket job shows its provider state, queue position and task ARN, and outlives a kernel restart', async ({
  page
}) => {
  test.setTimeout(300 * 1000);
  const before = new Set(await kernelIds(page));
  try {
    // Given the (loopback) Braket service holds every new task in QUEUED at position 7 until it is released
    await runNotebook(page, 'braket.ipynb', [
      loopbackCell('script', { token: '*', hold: true, queue_position: '7', running: 0.5 })
    ]);
    // (a printed line, not a traceback that quotes the cell's source)
    const printed = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]');
    await expect(printed.filter({ hasText: /^loopback script: ok\s*$/ })).toHaveCount(1, { timeout: 60 * 1000 });
    // When a Bell circuit is submitted to braket:sv1 with %%qrun
    await runCell(page, BRAKET_CELL);
    const sidebar = await openSidebar(page);
    const row = jobRow(sidebar, 'awsbell', 'braket:sv1');

    // Then its Queue row shows the provider's state and queue position
    await expect(row).toContainText('queued', { timeout: 120 * 1000 });
    await expect(row.locator('.qh-QueuePanel-provider')).toHaveText('QUEUED · position 7', { timeout: 60 * 1000 });
    // And its detail view shows the provider, the task ARN, the provider state and the queue position
    await row.getByRole('button', { name: 'Show job awsbell on braket:sv1' }).click();
    const provider = sidebar.getByRole('region', { name: 'Provider' });
    await expect(provider).toContainText('braket');
    await expect(provider.locator('.qh-JobDetail-providerId')).toHaveText(
      /^arn:aws:braket:us-east-1:\d{12}:quantum-task\/[0-9a-f-]+$/
    );
    await expect(provider).toContainText('QUEUED');
    await expect(provider).toContainText('7');
    const arn = (await provider.locator('.qh-JobDetail-providerId').textContent()) ?? '';
    await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'provider-detail.png') });
    await sidebar.getByRole('button', { name: '← All jobs' }).click();

    // When the kernel that submitted it restarts
    await restartKernel(page);

    // Then the cell's live view says the job goes on at its provider
    await expect(outputWith(page, /the kernel restarted; this job goes on at its provider/)).toBeVisible({
      timeout: 60 * 1000
    });
    await expect(outputWith(page, /this job was interrupted/)).toHaveCount(0);
    // And the job is not interrupted: the Jupyter server adopted it and keeps it queued at the provider
    await expect(row.locator('.qh-QueuePanel-provider')).toHaveText('QUEUED · position 7');
    await expect(row).toContainText('queued');
    await row.getByRole('button', { name: 'Show job awsbell on braket:sv1' }).click();
    await expect(provider.locator('.qh-JobDetail-providerId')).toHaveText(arn);
    await sidebar.getByRole('button', { name: '← All jobs' }).click();
    await expect(row).not.toContainText('interrupted');

    // When the provider releases the task (from the new kernel)
    await runCell(page, loopbackCell('release', {}));
    // Then the server, which adopted it, sees it finish: done, COMPLETED at the provider
    await expect(row).toContainText('done', { timeout: 120 * 1000 });
    await expect(row.locator('.qh-QueuePanel-provider')).toHaveText('COMPLETED');
    // And the new kernel reads its hardware result from the run log
    const title =
      (await row.getByRole('button', { name: 'Show job awsbell on braket:sv1' }).getAttribute('title')) ?? '';
    const jobId = /^Job (\S+):/.exec(title)?.[1] ?? '';
    expect(jobId).not.toBe('');
    await runCell(page, `%load_ext qhybrid_lab\n%qresult ${jobId}`);
    await expect(
      page
        .locator('.jp-OutputArea-output')
        .getByText(/'00'|'11'/)
        .first()
    ).toBeVisible({
      timeout: 60 * 1000
    });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'provider-restart.png') });
  } finally {
    // The service goes back to its default behaviour, and nothing stays held
    await runCell(page, loopbackCell('script', { token: '*' }));
    await runCell(page, loopbackCell('release', {}));
    await page.notebook.close(true);
    for (const id of await kernelIds(page)) {
      if (!before.has(id)) {
        await page.request.delete(`/api/kernels/${id}`);
      }
    }
  }
});

test('a Braket task that fails falls back to aer, and the Queue marks both jobs', async ({ page }) => {
  test.setTimeout(300 * 1000);
  const before = new Set(await kernelIds(page));
  try {
    // Given the (loopback) Braket service fails every new task with a reason of its own
    await runNotebook(page, 'fallback.ipynb', [
      loopbackCell('script', { token: '*', running: 0.2, fail: 'the device rejected the program: qubit 3 is disabled' })
    ]);
    const printed = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]');
    await expect(printed.filter({ hasText: /^loopback script: ok\s*$/ })).toHaveCount(1, { timeout: 60 * 1000 });
    // When a circuit is submitted to braket:sv1 with aer as its fallback
    await runCell(
      page,
      [
        '%%qrun --backend braket:sv1 --fallback aer --shots 100',
        'from qiskit import QuantumCircuit',
        'fbbell = QuantumCircuit(2, name="fbbell")',
        'fbbell.h(0)',
        'fbbell.cx(0, 1)',
        'fbbell.measure_all()'
      ].join('\n')
    );
    const sidebar = await openSidebar(page);
    const failed = jobRow(sidebar, 'fbbell', 'braket:sv1');
    const replacement = jobRow(sidebar, 'fbbell', 'aer');
    // Then the Braket job failed with the provider's reason and is marked as fallen back
    await expect(failed).toContainText('failed', { timeout: 120 * 1000 });
    const away = failed.locator('.qh-FallbackBadge');
    await expect(away).toHaveText('↪ fallback');
    await expect(away).toHaveAttribute('title', /^Fell back: job [0-9a-f]{8} ran instead: .*qubit 3 is disabled/);
    // And the aer job that ran instead is done and marked as the fallback of the Braket one
    await expect(replacement).toContainText('done', { timeout: 120 * 1000 });
    const toward = replacement.locator('.qh-FallbackBadge');
    await expect(toward).toHaveText('↩ fallback');
    await expect(toward).toHaveAttribute('title', /^A fallback for job [0-9a-f]{8} on braket:sv1/);
    await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'fallback-queue.png') });
  } finally {
    await runCell(page, loopbackCell('script', { token: '*' }));
    await page.notebook.close(true);
    for (const id of await kernelIds(page)) {
      if (!before.has(id)) {
        await page.request.delete(`/api/kernels/${id}`);
      }
    }
  }
});
