import { expect } from '@jupyterlab/galata';
import * as path from 'path';

import { bellCell, openSidebar, runCell, runNotebook, SCREENSHOTS, showTab, test } from './helpers';

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

test('Compare: pick any two runs, pin the pair, and it stays pinned after a reload until unpinned', async ({
  page
}) => {
  test.setTimeout(300 * 1000);
  // Given one circuit, "pick", run on aer and on the fake_torino emulator
  const cell = bellCell(['aer', 'fake_torino'], 4000, '--seed 3 --wait').replace(/bell/g, 'pick');
  await runNotebook(page, 'pick.ipynb', [cell]);
  const sidebar = await openSidebar(page);
  await showTab(sidebar, 'Compare');
  const picker = sidebar.getByRole('region', { name: 'Pick two runs' });
  // When the user searches the reference run and picks the aer one
  await picker.getByRole('searchbox', { name: 'Search runs: Reference (a)' }).fill('pick');
  await picker
    .getByRole('button', { name: /^Pick pick on aer / })
    .first()
    .click();
  // Then the second list offers its counterparts first, and picking the emulator run compares the two
  await expect(picker.getByRole('group', { name: 'Compare with (b)' })).toContainText('Runs of pick to compare with');
  await picker
    .getByRole('button', { name: /^Pick pick on fake_torino / })
    .first()
    .click();
  const pair = picker.getByLabel('aer vs fake_torino');
  await expect(pair).toContainText('Hellinger fidelity');
  await expect(pair).toContainText(/\d\.\d{4} \[\d\.\d{4}, \d\.\d{4}\]/); // the value and its 95 % interval
  // When the pair is pinned
  await pair.getByRole('button', { name: 'Pin' }).click();
  const pinned = sidebar.getByRole('region', { name: 'Pinned pairs' });
  await expect(pinned.getByLabel('aer vs fake_torino')).toContainText('Hellinger fidelity');
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'compare-pinned.png') });
  // Then it is still pinned in another page of the same browser, opened afresh (the pins are the browser's)
  // (`?reset`: the default layout, not the saved one, which would reopen the notebook and may ask for its kernel)
  const other = await page.context().newPage();
  await other.goto(new URL('/lab?reset', page.url()).href);
  await other.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 180 * 1000 });
  const again = other.locator('#qhybrid-lab-sidebar');
  if (!(await again.isVisible())) {
    await other.locator('.jp-SideBar [data-id="qhybrid-lab-sidebar"]').click();
  }
  await showTab(again, 'Compare');
  const kept = again.getByRole('region', { name: 'Pinned pairs' });
  await expect(kept.getByLabel('aer vs fake_torino')).toContainText('Hellinger fidelity', { timeout: 60 * 1000 });
  // And unpinning removes it
  await kept.getByRole('button', { name: 'Unpin' }).click();
  await expect(again.getByRole('region', { name: 'Pinned pairs' })).toHaveCount(0);
  await other.close();
});
