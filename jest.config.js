// Jest for the sidebar's TypeScript (src/__tests__/*.spec.ts), on @jupyterlab/testutils' config as the
// JupyterLab extension template sets it up: ts-jest with tsconfig.test.json, a jsdom with Node's fetch.
const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyterlab/',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  collectCoverageFrom: ['src/**/*.{ts,tsx}', '!src/**/*.d.ts', '!src/**/__tests__/**'],
  coverageReporters: ['lcov', 'text-summary'],
  // Not coverage/: pytest runs with the repository on sys.path, where a coverage/ folder would shadow Python's
  // coverage package (import coverage then finds this folder).
  coverageDirectory: '<rootDir>/coverage-ts',
  // The base config also writes junit.xml and GitHub annotations; nothing here reads them.
  reporters: ['default'],
  roots: ['<rootDir>/src'], // not .venv/ or labextension/, which hold package.json files of their own
  testRegex: '/__tests__/.*\\.spec\\.tsx?$',
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
