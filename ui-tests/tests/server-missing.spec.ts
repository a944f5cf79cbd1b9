import { expect, test } from '@playwright/test';
import * as path from 'path';

import { SCREENSHOTS } from './helpers';

test('without the server extension the sidebar says how to fix it', async ({ page }) => {
  // Given JupyterLab on port 8889, where the qhybrid-lab server extension is disabled
  await page.goto('http://localhost:8889/lab');
  // When the qhybrid-lab sidebar is opened
  await page.getByRole('tab', { name: 'Quantum jobs (qhybrid-lab)' }).click();
  // Then it explains what is missing and what to do
  const sidebar = page.locator('#qhybrid-lab-sidebar');
  await expect(sidebar.getByRole('alert')).toHaveText(
    'The qhybrid-lab server extension is not enabled: pip install qhybrid-lab, then restart JupyterLab'
  );
  await sidebar.screenshot({ path: path.join(SCREENSHOTS, 'server-missing.png') });
});
