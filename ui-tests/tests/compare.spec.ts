import { expect } from '@jupyterlab/galata';
import * as path from 'path';

import { bellCell, runCell, runNotebook, SCREENSHOTS, test } from './helpers';

test.use({ autoGoto: true });

test('%qcompare in a notebook: intervals and the verdict, dollar amounts not typeset as LaTeX', async ({ page }) => {
  test.setTimeout(300 * 1000);
  // Given two runs of one circuit
  await runNotebook(page, 'qcompare.ipynb', [bellCell(['aer', 'fake_torino'], 20000, '--seed 7 --wait')]);
  // When %qcompare compares them
  await runCell(
    page,
    [
      'from qhybrid_lab.runlog import open_runlog',
      "runs = open_runlog().query(status='done', search='bell', limit=20)",
      "ids = [next(r['id'] for r in runs if r['backend']['name'] == b) for b in ('aer', 'fake_torino')]",
      "get_ipython().run_line_magic('qcompare', ' '.join(ids))"
    ].join('\n')
  );
  // Then the table shows the fidelity with its interval, the verdict and costs in dollars, with no MathJax in it
  const table = page.locator('.qh-Comparison').last();
  await expect(table).toContainText('Hellinger fidelity [95 %]', { timeout: 60 * 1000 });
  await expect(table).toContainText(/\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]/);
  await expect(table).toContainText('beyond shot noise');
  await expect(table).toContainText('$0.00');
  await expect(table.locator('mjx-container, .MathJax')).toHaveCount(0);
  await table.screenshot({ path: path.join(SCREENSHOTS, 'qcompare.png') });
});
