import { expect } from '@jupyterlab/galata';
import * as path from 'path';

import { bellCell, jobRow, openSidebar, runNotebook, SCREENSHOTS, test } from './helpers';

// Run by scripts/test-wheel.sh with playwright.wheel.config.js: JupyterLab on 8891 from the venv the wheel went into.
test.use({ autoGoto: true });

test('the installed wheel, without node: the sidebar loads and a %%qrun job appears in it and finishes', async ({
  page
}) => {
  test.setTimeout(240 * 1000);
  // Given JupyterLab from the wheel's venv, the sidebar open
  const sidebar = await openSidebar(page);
  // When a notebook reports where its kernel runs and whether node is on its PATH, then runs a Bell pair
  const where = ['import shutil, sys', 'print("node:", shutil.which("node"))', 'print("prefix:", sys.prefix)'];
  await runNotebook(page, 'wheel.ipynb', [where.join('\n'), bellCell(['aer', 'fake_manila'], 500)]);
  // Then the kernel is the wheel's venv, with no node on its PATH
  const outputs = page.locator('.jp-OutputArea-output');
  await expect(outputs.getByText('node: None')).toBeVisible();
  await expect(outputs.getByText(`prefix: ${process.env.QHYBRID_WHEEL_VENV}`)).toBeVisible();
  // And both jobs appear in the sidebar and finish
  await expect(jobRow(sidebar, 'bell', 'aer')).toContainText('done', { timeout: 120 * 1000 });
  await expect(jobRow(sidebar, 'bell', 'fake_manila')).toContainText('done', { timeout: 120 * 1000 });
  // (which notebook: Galata creates Untitled.ipynb and renames it, so either name may show here)
  await expect(jobRow(sidebar, 'bell', 'aer')).toContainText(/(wheel|Untitled)\.ipynb/);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'wheel-smoke.png') });
});
