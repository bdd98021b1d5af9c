// Lint enforces the process boundaries (docs/architecture.md, "Layers") with
// the local rule in eslint-rules/layers.js, which follows dynamic import()
// and every transitive import as well: src-shared imports only zod,
// @hpke/core and itself; the renderer imports only src-shared; main imports
// src-shared and no delegate file; the delegate imports neither electron nor
// main. Only the shell imports electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import strongroom from './eslint-rules/layers.js';
import { productLayers } from './eslint-rules/product-layers.js';

const root = new URL('.', import.meta.url).pathname;

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', '.dist-test-next/**', 'release/**', 'node_modules/**', '.tmp/**', 'test-results/**', 'test/fixtures/lint-layers/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['src-*/**/*.{ts,tsx}'],
    plugins: { strongroom },
    rules: { 'strongroom/layers': ['error', { root, layers: productLayers }] },
  },
);
