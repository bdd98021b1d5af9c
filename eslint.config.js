// Lint enforces the process boundaries (docs/architecture.md, "Layers"):
// src-shared imports only zod, @hpke/core and itself; the renderer imports
// only src-shared; main imports src-shared and no delegate file; the delegate
// imports neither electron nor main. Only the shell imports electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url', 'worker_threads', 'process'];

const rules = {
  electron: { name: 'electron', message: 'Only src-main/shell imports electron.' },
  rendererToMain: { regex: 'src-main/', message: 'The renderer reaches main only through src-shared/contract.' },
  rendererToDelegate: { regex: 'src-delegate/', message: 'The renderer reaches the delegate only through src-shared/contract.' },
  rendererToNode: { regex: '^node:', message: 'The renderer runs sandboxed: no Node modules.' },
  mainToDelegate: { regex: 'src-delegate/', message: 'Main talks to the delegate through src-shared/delegate-protocol; delegate internals stay in the delegate.' },
  anyToRenderer: { regex: 'src-renderer/', message: 'Nothing imports renderer code.' },
  delegateToMain: { regex: 'src-main/', message: 'The delegate never imports main.' },
  sharedToOthers: { regex: '^(?!zod$|@hpke/core$|\\./(?!.*\\.\\./)).*', message: 'src-shared may import only zod, @hpke/core and itself.' },
  coreToShell: { regex: '(^|/)shell/', message: 'The Electron-free core never imports the shell.' },
};

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', '.tmp/**', 'test-results/**'] },
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
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', {
        paths: [rules.electron, ...nodeBuiltins.map((name) => ({ name, message: rules.rendererToNode.message }))],
        patterns: [rules.rendererToMain, rules.rendererToDelegate, rules.rendererToNode],
      }],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/shell/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [rules.electron],
        patterns: [rules.mainToDelegate, rules.anyToRenderer, rules.coreToShell],
      }],
    },
  },
  {
    files: ['src-main/shell/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [rules.mainToDelegate, rules.anyToRenderer] }],
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [rules.sharedToOthers] }],
    },
  },
  {
    files: ['src-delegate/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [rules.electron], patterns: [rules.delegateToMain, rules.anyToRenderer] }],
    },
  },
);
