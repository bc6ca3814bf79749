// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The house rules of STYLE.md as import restrictions: one chokepoint per outside system, a pure core.
// ESLint applies the last matching block's `no-restricted-imports` whole (options are not merged), so
// each block below lists every restriction for its files, and the more specific blocks come later.
const UNDICI = {
  group: ['undici', 'undici/*'],
  message: 'Only src/jira/ talks to Jira (and src/sandbox/ serves it).',
};
const CHILD_PROCESS = {
  group: ['node:child_process', 'child_process'],
  message:
    'Only src/git/ starts git (through simple-git); src/engine/background.ts starts the worker and src/cli/demo.ts starts jlog itself.',
};
const SIMPLE_GIT = { group: ['simple-git'], message: 'Only src/git/ runs git.' };
const CORE = [
  {
    group: ['node:*', '!node:crypto', 'fs', 'child_process', 'http', 'https', 'os', 'path'],
    message: 'core/ is pure: no I/O.',
  },
  {
    group: ['undici', 'undici/*', 'simple-git', 'cosmiconfig', 'proper-lockfile', 'write-file-atomic'],
    message: 'core/ is pure.',
  },
  {
    group: [
      '../git/*',
      '../jira/*',
      '../ledger/*',
      '../engine/*',
      '../cli/*',
      '../config/load*',
      '../sandbox/*',
    ],
    message: 'core/ depends on nothing outside core/ (the sandbox included).',
  },
];
/** A gitignore-style group (`node:*`, `!node:crypto`) as one anchored regex source for esquery. */
function groupRegex(/** @type {string[]} */ group) {
  const re = (/** @type {string} */ g) => g.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&').replace(/\*/g, '[^\\/]*');
  const pos = group.filter((g) => !g.startsWith('!')).map(re);
  const neg = group.filter((g) => g.startsWith('!')).map((g) => re(g.slice(1)));
  return `^${neg.length > 0 ? `(?!(${neg.join('|')})$)` : ''}(${pos.join('|')})$`;
}

/** `no-restricted-imports` for the patterns, and the same names refused in `import('…')` (lazy loads). */
const restrict = (/** @type {{ group: string[], message: string }[]} */ ...patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
  'no-restricted-syntax': [
    'error',
    ...patterns.map(({ group, message }) => ({
      selector: `ImportExpression[source.value=/${groupRegex(group)}/]`,
      message,
    })),
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': 'off',
      'no-restricted-syntax': 'off',
    },
  },
  { files: ['src/**/*.ts'], rules: restrict(UNDICI, CHILD_PROCESS, SIMPLE_GIT) },
  {
    files: ['src/jira/**/*.ts', 'src/sandbox/**/*.ts'],
    rules: restrict(CHILD_PROCESS, SIMPLE_GIT),
  },
  { files: ['src/git/**/*.ts'], rules: restrict(UNDICI) },
  {
    files: ['src/engine/background.ts', 'src/cli/demo.ts'],
    rules: restrict(UNDICI, SIMPLE_GIT),
  },
  { files: ['src/core/**/*.ts'], rules: restrict(...CORE) },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly' } },
  },
);
