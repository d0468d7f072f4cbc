import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'jest.config.js', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['libs/lorawan/**/*.ts'],
    rules: {
      // The protocol core is pure: no Nest, no I/O (ARCHITECTURE.md).
      'no-restricted-imports': [
        'error',
        { patterns: ['@nestjs/*', 'typeorm', 'node:fs', 'fs', 'node:net', 'node:dgram', 'node:http', '@lns/*'] },
      ],
    },
  },
);
