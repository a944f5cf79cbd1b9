/* eslint-disable jupyter/galata-prefer-menu-helper -- Notebook 7 is not JupyterLab: this test drives plain Playwright pages, where Galata's page.menu helpers do not exist */
import { expect, Locator, Page, test } from '@playwright/test';
import * as path from 'path';

import { bellCell, SCREENSHOTS } from './helpers';

/** The Jupyter Notebook 7 server of the UI tests (`jlpm start:notebook`). */
const NOTEBOOK7 = 'http://localhost:8890';

/** Save a notebook of code cells on the Notebook 7 server (its contents API, as the file browser does). */
async function saveNotebook(page: Page, name: string, sources: string[]): Promise<void> {
  const cells = sources.map(source => ({
    cell_type: 'code',
    source,
    metadata: {},
    outputs: [],
    execution_count: null
  }));
  const kernelspec = { name: 'python3', display_name: 'Python 3', language: 'python' };
  const content = { cells, metadata: { kernelspec }, nbformat: 4, nbformat_minor: 5 };
  const response = await page.request.put(`${NOTEBOOK7}/api/contents/${name}`, { data: { type: 'notebook', content } });
  expect(response.ok()).toBe(true);
}

/** Open View › Left Sidebar and return its entry for the qhybrid-lab sidebar (a checkbox item once it shows). */
async function leftSidebarEntry(page: Page): Promise<Locator> {
  await page.getByRole('menuitem', { name: 'View', exact: true }).click();
  await page.locator('.lm-Menu-item[data-type="submenu"]', { hasText: 'Left Sidebar' }).click();
  return page.locator('.lm-Menu-item[data-command="application:toggle-panel"]', {
    hasText: 'Show Quantum jobs (qhybrid-lab)'
  });
}

test('Notebook 7: %%qrun shows its cell view, and the sidebar opens from View › Left Sidebar with the job', async ({
  page
}) => {
  test.setTimeout(240 * 1000);
  // Given a notebook that loads the extension and runs a Bell pair on aer, opened in Notebook 7
  await saveNotebook(page, 'nb7.ipynb', ['%load_ext qhybrid_lab', bellCell(['aer'], 500)]);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${NOTEBOOK7}/notebooks/nb7.ipynb`);
  const app = await page.waitForFunction(() => (window as { jupyterapp?: { name: string } }).jupyterapp?.name, null, {
    timeout: 60 * 1000
  });
  expect(await app.jsonValue()).toBe('Jupyter Notebook'); // Notebook 7's own application, not JupyterLab
  await expect(page.locator('.jp-Notebook-ExecutionIndicator')).toHaveAttribute('data-status', 'idle', {
    timeout: 60 * 1000
  });
  // the indicator is idle before a kernel exists: wait for the kernel itself to be connected and idle
  await page.waitForFunction(
    () => {
      type Kernel = { connectionStatus?: string; status?: string };
      type Shell = { currentWidget?: { sessionContext?: { session?: { kernel?: Kernel } } } };
      const shell = (window as { jupyterapp?: { shell?: Shell } }).jupyterapp?.shell;
      const kernel = shell?.currentWidget?.sessionContext?.session?.kernel;
      return kernel?.connectionStatus === 'connected' && kernel?.status === 'idle';
    },
    null,
    { timeout: 120 * 1000 }
  );

  // When every cell runs (Run › Run All Cells)
  await page.getByRole('menuitem', { name: 'Run', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Run All Cells', exact: true }).click();

  // Then the cell view (ipywidgets) shows the job done, with its counts histogram
  const view = page.locator('.jp-OutputArea-output').filter({ hasText: 'qhybrid-lab group' });
  await expect(view).toContainText('aer (simulator)', { timeout: 120 * 1000 });
  await expect(view).toContainText('done', { timeout: 120 * 1000 });
  await expect(view.locator('.js-plotly-plot')).toBeVisible();

  // When the sidebar is opened from the View menu, where Notebook 7 lists the left area's panels
  await (await leftSidebarEntry(page)).click();

  // Then it shows in the left area with the job of this notebook, done
  const sidebar = page.locator('#jp-left-stack #qhybrid-lab-sidebar');
  await expect(sidebar.getByRole('heading', { name: 'Quantum jobs' })).toBeVisible();
  const row = sidebar.getByRole('list', { name: 'Jobs' }).getByRole('listitem', { name: 'Job bell on aer' });
  await expect(row).toContainText('done', { timeout: 60 * 1000 });
  await expect(row).toContainText('nb7.ipynb');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'notebook7.png') });

  // And the same menu entry, now checked, hides it again
  const entry = await leftSidebarEntry(page);
  await expect(entry).toHaveAttribute('aria-checked', 'true');
  await entry.click();
  await expect(sidebar).toBeHidden();
});
