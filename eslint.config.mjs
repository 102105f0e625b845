// Lint rules that catch real bugs in a server of long-lived sockets and child
// processes: a floating promise is an unhandled rejection waiting to crash a
// stream, so it is an error, not a warning.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'data/',
      'coverage/',
      'test-results/',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      curly: ['error', 'multi-line'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The front end: its own tsconfig (DOM, the @shared alias), and no way to
    // render people's text as markup.
    files: ['client-demo/**/*.ts', 'client-demo/vite.config.mts'],
    languageOptions: {
      parserOptions: { project: './client-demo/tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Render text with Lit bindings or textContent.' },
        { property: 'outerHTML', message: 'Render text with Lit bindings or textContent.' },
        { property: 'insertAdjacentHTML', message: 'Render text with Lit bindings or textContent.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'lit/directives/unsafe-html.js', message: 'User text is rendered as text.' }],
          patterns: [
            {
              group: ['**/src/*', '!@shared/*'],
              message: 'Import server files through a @shared alias (framework-free files only).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['client-demo/**/*.spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  prettier,
);
