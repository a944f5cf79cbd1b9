import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import * as path from 'path';

import { bellCell, luminance, runNotebook, SCREENSHOTS, test } from './helpers';

// One Jupyter server and one run log for all tests: they run in order.
test.describe.configure({ mode: 'serial' });

test.use({ autoGoto: true });

/** The output area of the notebook's cell `index`. */
function output(page: IJupyterLabPageFixture, index: number): Locator {
  return page.locator('.jp-Notebook .jp-Cell').nth(index).locator('.jp-Cell-outputArea');
}

/** Start recording the page's long main-thread tasks (the Long Tasks API); read them with `longestTask`. */
async function watchLongTasks(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { qhLongest: number; qhLongTasks: number };
    w.qhLongest = 0;
    w.qhLongTasks = 0;
    new PerformanceObserver(list => {
      for (const entry of list.getEntries()) {
        w.qhLongest = Math.max(w.qhLongest, entry.duration);
        w.qhLongTasks += 1;
      }
    }).observe({ type: 'longtask', buffered: false });
  });
}

async function longestTask(page: IJupyterLabPageFixture): Promise<{ longest: number; count: number }> {
  return page.evaluate(() => {
    const w = window as unknown as { qhLongest: number; qhLongTasks: number };
    return { longest: w.qhLongest, count: w.qhLongTasks };
  });
}

/** The colour of one pixel of an element as it is drawn on screen (from a screenshot of it). */
async function pixel(page: IJupyterLabPageFixture, element: Locator, x: number, y: number): Promise<string> {
  const png = (await element.screenshot()).toString('base64');
  return page.evaluate(
    async ({ png, x, y }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${png}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const [r, g, b] = context.getImageData(x, y, 1, 1).data;
      return `rgb(${r}, ${g}, ${b})`;
    },
    { png, x, y }
  );
}

/** 150 Bell circuits, q0 … q149, as one `%%qrun` of a dict. */
const MANY_CELL = [
  '%%qrun --backend aer --shots 64 --seed 1',
  'from qiskit import QuantumCircuit',
  'circuits = {f"q{i}": QuantumCircuit(2, name=f"q{i}") for i in range(150)}',
  '_ = [(c.h(0), c.cx(0, 1), c.measure_all()) for c in circuits.values()]',
  'circuits'
].join('\n');

test('a 150-circuit %%qrun shows one group summary, sends one notification, and its figures follow the theme', async ({
  page
}) => {
  // Given the page records its long tasks
  await watchLongTasks(page);
  // When a cell submits 150 circuits at once
  await runNotebook(page, 'many.ipynb', [MANY_CELL]);
  const view = output(page, 1);
  // Then the cell shows one summary, not 150 rows: progress, counts per status, cost and time, a cancel button
  await expect(view).toContainText(/150 jobs \(150 circuits × 1 backend\)/);
  await expect(view).toContainText(/150\s+done/, { timeout: 180 * 1000 });
  await expect(view).toContainText('$0.00');
  await expect(view.locator('.widget-button', { hasText: 'Cancel group' })).toBeDisabled();
  await expect(view.locator('.js-plotly-plot')).toHaveCount(0); // no histogram until asked for
  // And one notification for the group, none per job
  await expect(page.getByRole('alert').filter({ hasText: /150 jobs done in/ })).toHaveCount(1, { timeout: 30 * 1000 });
  await page.waitForTimeout(1500); // a per-job toast would have shown by now
  await expect(page.getByRole('alert').filter({ hasText: /^Job q\d+ on aer/ })).toHaveCount(0);
  const tasks = await longestTask(page);
  console.log(
    `150-circuit %%qrun: longest main-thread task ${tasks.longest.toFixed(0)} ms (${tasks.count} long tasks)`
  );
  await view.screenshot({ path: path.join(SCREENSHOTS, 'cell-150-summary.png') });

  // When the details are opened and one circuit is chosen
  await view.locator('.widget-toggle-button', { hasText: 'Details' }).click();
  await expect(view.locator('table.qh-Table tbody tr')).toHaveCount(150);
  await view.locator('.widget-dropdown select').selectOption({ label: 'q7 on aer (done)' });
  // Then its histogram shows, with a value on each bar and the probability/counts switch
  const figure = view.locator('.js-plotly-plot').first();
  await expect(figure).toBeVisible();
  await expect(figure.locator('.bartext')).toHaveCount(2);
  await expect(figure.locator('.updatemenu-button')).toHaveCount(2);
  await view.screenshot({ path: path.join(SCREENSHOTS, 'cell-150-details-light.png') });
  const light = await pixel(page, figure, 4, 4);
  expect(luminance(light)).toBeGreaterThan(0.8);

  // And in the dark theme the figure is dark too (its background is the cell's), its text still readable
  await page.theme.setDarkTheme();
  await expect(figure).toBeVisible();
  await page.waitForTimeout(500);
  const dark = await pixel(page, figure, 4, 4);
  console.log(`plotly background pixel: light theme ${light}, dark theme ${dark}`);
  expect(luminance(dark)).toBeLessThan(0.1);
  const text = await figure
    .locator('.xtick text')
    .first()
    .evaluate(e => getComputedStyle(e).fill);
  expect(luminance(text)).toBeGreaterThan(0.15);
  await view.screenshot({ path: path.join(SCREENSHOTS, 'cell-150-details-dark.png') });
  await page.theme.setLightTheme();
});

test('a two-backend cell shows one row per job with labelled histograms, light and dark', async ({ page }) => {
  await runNotebook(page, 'small.ipynb', [bellCell(['aer', 'fake_torino'], 2000, '--seed 3 --wait')]);
  const view = output(page, 1);
  await expect(view.locator('.js-plotly-plot')).toHaveCount(2, { timeout: 120 * 1000 });
  await expect(view.locator('.js-plotly-plot').first().locator('.bartext')).toHaveCount(2);
  // two notifications for a group of two
  await expect(page.getByRole('alert').filter({ hasText: /Job bell on (aer|fake_torino) done/ })).toHaveCount(2);
  await view.screenshot({ path: path.join(SCREENSHOTS, 'cell-small-light.png') });
  await page.theme.setDarkTheme();
  await page.waitForTimeout(500);
  await view.screenshot({ path: path.join(SCREENSHOTS, 'cell-small-dark.png') });
  expect(luminance(await pixel(page, view.locator('.js-plotly-plot').first(), 4, 4))).toBeLessThan(0.1);
  await page.theme.setLightTheme();
});
