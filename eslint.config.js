// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * ESLint's and typescript-eslint's recommended rules, without type information so the whole tree
 * lints in seconds (tsc already type-checks). Layer rules are in .dependency-cruiser.cjs; the one
 * layer rule an import graph cannot see, shared/ using DOM or Node globals, is here.
 */

// The handful of Node globals the plain-JS build and test scripts use.
const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'require', 'module', '__dirname', '__filename', 'Buffer', 'URL', 'setTimeout', 'clearTimeout'].map((g) => [g, 'readonly']),
);

const domGlobals = ['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'WebSocket', 'HTMLElement', 'Element', 'Event'];
const nodeOnlyGlobals = ['process', 'Buffer', '__dirname', '__filename', 'require', 'module', 'global', 'setImmediate'];

export default defineConfig(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test/fixtures/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      // `_`-prefixed names are the convention for a parameter a signature must have but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // Playwright reads a fixture's dependencies from its first parameter's pattern, so `{}` means "none".
    files: ['test/e2e/**'],
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...domGlobals.map((name) => ({ name, message: 'shared/ runs in Node too: DOM code belongs in renderer/.' })),
        ...nodeOnlyGlobals.map((name) => ({ name, message: 'shared/ runs in the renderer too: Node code belongs in electron/.' })),
      ],
    },
  },
);
