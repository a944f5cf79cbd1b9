/**
 * Playwright configuration of the wheel smoke test: JupyterLab from the venv that scripts/test-wheel.sh installed
 * the wheel into ($QHYBRID_WHEEL_VENV), on port 8891, started with a PATH that has no node ($QHYBRID_NODELESS_PATH).
 */
const base = require('./playwright.config');

const venv = process.env.QHYBRID_WHEEL_VENV;
const nodeless = process.env.QHYBRID_NODELESS_PATH;
if (!venv || !nodeless) {
  throw new Error('run the wheel smoke test through scripts/test-wheel.sh (QHYBRID_WHEEL_VENV, QHYBRID_NODELESS_PATH)');
}

module.exports = {
  ...base,
  testIgnore: [],
  testMatch: ['**/wheel-smoke.spec.ts'],
  projects: undefined,
  outputDir: 'test-results-wheel',
  reporter: [['list'], ['json', { outputFile: 'test-results-wheel/results.json' }]],
  use: { ...base.use, baseURL: 'http://localhost:8891' },
  webServer: [
    {
      command: `${venv}/bin/jupyter lab --config jupyter_server_wheel_config.py`,
      url: 'http://localhost:8891/lab',
      env: { PATH: nodeless },
      timeout: 120 * 1000,
      reuseExistingServer: false
    }
  ]
};
