import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tmp/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The domain must not depend on SIP wire details, adapters or I/O.
    files: ['src/cmr/**/*.ts', 'src/calls/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/sip/**', '**/store/**', '**/charging/**', '**/portal/**'],
              message: 'the domain stays free of adapters',
            },
            {
              group: ['node:net', 'node:dgram', 'node:http', 'node:fs', 'net', 'dgram', 'http', 'fs'],
              message: 'the domain does no I/O',
            },
          ],
        },
      ],
    },
  },
);
