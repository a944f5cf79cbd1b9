import { expect } from '@jupyterlab/galata';
import * as path from 'path';

import { bellCell, openSidebar, runCell, runNotebook, SCREENSHOTS, showTab, test } from './helpers';

test.use({ autoGoto: true });

/** "0.9312 [0.9205, 0.9418]" → [value, lo, hi]. */
function parseInterval(text: string | null): number[] {
  const match = (text ?? '').match(/^(\d\.\d{4}) \[(\d\.\d{4}), (\d\.\d{4})\]$/);
  expect(match, `a value with its 95% interval, got ${text}`).not.toBeNull();
  return match!.slice(1).map(Number);
}

test('pick two runs and pin the pair: fidelity and TVD with 95% intervals and the shot-noise verdict', async ({
  page
}) => {
  test.setTimeout(300 * 1000);
  // Given a Bell circuit run on the ideal simulator and on a device emulator
  const sidebar = await openSidebar(page);
  await runNotebook(page, 'compare.ipynb', [bellCell(['aer', 'fake_torino'], 20000, '--seed 7 --wait')]);

  // When the user picks the aer run as the reference, then the emulator run among its counterparts
  await showTab(sidebar, 'Compare');
  const picker = sidebar.getByRole('region', { name: 'Pick two runs' });
  const reference = picker.getByRole('group', { name: 'Reference (a)' });
  await reference.getByRole('searchbox').fill('bell');
  await reference
    .getByRole('button', { name: /^Pick bell on aer / })
    .first()
    .click({ timeout: 60 * 1000 });
  const other = picker.getByRole('group', { name: 'Compare with (b)' });
  await expect(other).toContainText('counterparts first');
  await other
    .getByRole('button', { name: /^Pick bell on fake_torino / })
    .first()
    .click();

  // Then the pair shows fidelity and TVD, each inside its own 95% interval, and says it is beyond shot noise
  const pair = picker.getByLabel('aer vs fake_torino');
  await expect(pair).toContainText('Hellinger fidelity [95%]');
  const values = pair.locator('.qh-ComparePanel-metricValue');
  const [fidelity, lo, hi] = parseInterval(await values.nth(0).textContent());
  expect(lo).toBeLessThanOrEqual(fidelity);
  expect(fidelity).toBeLessThanOrEqual(hi);
  expect(hi).toBeLessThan(1);
  const [tvd, tlo, thi] = parseInterval(await values.nth(1).textContent());
  expect(tlo).toBeLessThanOrEqual(tvd);
  expect(tvd).toBeLessThanOrEqual(thi);
  // device noise puts shots in 01 and 10, which the ideal simulator never gives (far beyond noise at 20000 shots)
  await expect(pair.locator('.qh-ComparePanel-verdict')).toHaveText(/^beyond shot noise \(p = 0\.\d{3}; noise alone/);

  // And once pinned, the pair stays in view, with its interval, after a reload
  await pair.getByRole('button', { name: 'Pin' }).click();
  const pinned = sidebar.getByRole('region', { name: 'Pinned pairs' });
  await expect(pinned.getByLabel('aer vs fake_torino')).toContainText('Hellinger fidelity [95%]');
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'compare-pinned.png') });
  await page.reload();
  const again = await openSidebar(page);
  await showTab(again, 'Compare');
  const kept = again.getByRole('region', { name: 'Pinned pairs' }).getByLabel('aer vs fake_torino');
  const [keptFidelity] = parseInterval(await kept.locator('.qh-ComparePanel-metricValue').first().textContent());
  expect(keptFidelity).toBeCloseTo(fidelity, 4);
  await expect(kept.locator('.qh-ComparePanel-verdict')).toContainText('beyond shot noise');
  await kept.getByRole('button', { name: 'Unpin' }).click();
  await expect(again.getByRole('region', { name: 'Pinned pairs' })).toHaveCount(0);
});

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
