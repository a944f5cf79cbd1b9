import { expect } from '@jupyterlab/galata';
import * as path from 'path';

import { bellCell, openSidebar, runNotebook, SCREENSHOTS, test } from './helpers';

test.use({ autoGoto: true });

test('expectation values show with their standard errors in the cell and in the job detail', async ({ page }) => {
  test.setTimeout(240 * 1000);
  // Given a Bell pair measured for <ZZ> (exactly 1: every shot agrees) and <XI> (0 up to shot noise)
  const sidebar = await openSidebar(page);
  await runNotebook(page, 'observables.ipynb', [
    bellCell(['aer'], 2000, '--seed 1 --observable ZZ --observable XI --wait')
  ]);
  const cell = page.locator('.jp-Notebook .jp-Cell').nth(1).locator('.jp-Cell-outputArea');
  // Then the cell shows each value ± its standard error
  await expect(cell).toContainText('⟨ZZ⟩ = 1 ± 0', { timeout: 120 * 1000 });
  await expect(cell).toContainText(/⟨XI⟩ = -?0\.\d+ ± 0\.02\d*/);
  // And so does the job's detail in the sidebar
  const row = sidebar.getByRole('list', { name: 'Jobs' }).getByRole('listitem', { name: 'Job bell on aer' }).first();
  await expect(row).toContainText('done', { timeout: 60 * 1000 });
  await row.getByRole('button', { name: 'Show job bell on aer' }).click();
  const values = sidebar.locator('.qh-JobDetail-evs li');
  await expect(values).toHaveCount(2);
  await expect(values.nth(0)).toHaveText('⟨ZZ⟩ = 1 ± 0');
  await expect(values.nth(1)).toHaveText(/^⟨XI⟩ = -?0\.\d+ ± 0\.02\d*$/);
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'job-detail-expectation-values.png') });
  await sidebar.getByRole('button', { name: '← All jobs' }).click();
});
