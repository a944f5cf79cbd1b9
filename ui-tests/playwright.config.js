/**
 * Playwright configuration for the qhybrid-lab UI tests (Galata), headless in Debian's Chromium.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const chromium = process.env.QHYBRID_CHROMIUM || '/usr/bin/chromium';

module.exports = {
  ...baseConfig,
  // A hang guard per test, not a speed bound: a 2-core machine running another CI beside the suite took over 120 s
  // for the %qjobs test (two notebooks, two kernels), which passes in 21 s on a quiet one.
  timeout: 300 * 1000,
  expect: { timeout: 30 * 1000 },
  workers: 1, // one Jupyter server and one run log: tests run one after another
  retries: 0,
  reporter: [
    ['list'],
    ['json', { outputFile: 'test-results/results.json' }],
    ['html', { open: 'never', outputFolder: 'playwright-report' }]
  ],
  use: {
    ...baseConfig.use,
    video: 'off',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  // The wheel smoke test has its own configuration and server (playwright.wheel.config.js).
  testIgnore: ['**/wheel-smoke.spec.ts'],
  projects: [
    { name: 'lab', testIgnore: ['**/notebook7.spec.ts', '**/wheel-smoke.spec.ts'] },
    { name: 'notebook7', testMatch: ['**/notebook7.spec.ts'] }
  ],
  webServer: [
    {
      command: 'jlpm start',
      url: 'http://localhost:8888/lab',
      timeout: 120 * 1000,
      reuseExistingServer: !process.env.CI
    },
    {
      // The same JupyterLab without the qhybrid-lab server extension: the sidebar must say how to fix that.
      command: 'jlpm start:no-server-extension',
      url: 'http://localhost:8889/lab',
      timeout: 120 * 1000,
      reuseExistingServer: !process.env.CI
    },
    {
      // Jupyter Notebook 7 (the notebook7 project), with a run log of its own.
      command: 'jlpm start:notebook',
      url: 'http://localhost:8890/tree',
      timeout: 120 * 1000,
      reuseExistingServer: !process.env.CI
    }
  ]
};
