// ESLint for the sidebar's TypeScript, set up as the JupyterLab extension template does
// (typescript-eslint, @jupyter/eslint-plugin, Prettier as a rule); `jlpm lint:check` runs it.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import globals from 'globals';
import jupyterPlugin from '@jupyter/eslint-plugin';

export default defineConfig([
  {
    ignores: [
      'node_modules',
      'lib',
      'labextension',
      'coverage-ts',
      '.venv',
      'ui-tests/node_modules',
      'ui-tests/test-results',
      'ui-tests/playwright-report',
      '**/*.js',
      '**/*.mjs',
      '**/*.d.ts'
    ]
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    plugins: {
      jupyter: jupyterPlugin
    }
  },
  jupyterPlugin.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      globals: {
        ...globals.browser,
        ...globals.es2015
      }
    },
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: {
            regex: '^I[A-Z]',
            match: true
          }
        }
      ],
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none' }],
      '@typescript-eslint/no-namespace': 'off', // `export namespace JobsModel` holds the statics, as Lumino and JupyterLab do
      // The sidebar has no ITranslator yet (its text is English only); translating it is a change of its own.
      'jupyter/no-untranslated-string': 'off',
      // index.ts needs these at once: activate() returns the model (it provides IJobsModel), adds the sidebar widget,
      // reads the notification defaults and connects the notifier (it must see the first finished job).
      'jupyter/prefer-lazy-imports': [
        'warn',
        { ignoreImports: ['./model', './widget', './notify', './operationsModel'] }
      ],
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    languageOptions: {
      parserOptions: {
        project: 'tsconfig.test.json',
        sourceType: 'module'
      }
    }
  },
  {
    files: ['ui-tests/tests/**/*.ts'],
    languageOptions: {
      globals: {
        ...globals.node
      }
    }
  },
  prettierRecommended
]);
