// The JSON Schema shipped for editors (schema/jlogrc.schema.json) is generated from the zod schema
// jlog validates with: it accepts what jlog accepts and refuses the same mistakes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/schema.js';
import { validateConfig } from '../src/config/validate.js';

const file = fileURLToPath(new URL('../schema/jlogrc.schema.json', import.meta.url));
const schema = JSON.parse(readFileSync(file, 'utf8')) as { properties: Record<string, unknown> };
const validate = new Ajv2020({ strict: false }).compile(schema);

const jlogAccepts = (raw: unknown): boolean => {
  try {
    validateConfig(raw, '.jlogrc.json');
    return true;
  } catch {
    return false;
  }
};

describe('the config JSON Schema', () => {
  it('describes every key of the config, and $schema', () => {
    for (const key of ['$schema', ...Object.keys(DEFAULT_CONFIG)])
      expect(schema.properties).toHaveProperty([key]);
  });

  it.each([
    [{}, true],
    [{ $schema: './node_modules/jlog/schema/jlogrc.schema.json', postOn: 'commit' }, true],
    [
      { jira: { baseUrl: 'https://acme.atlassian.net', deployment: 'cloud' }, projects: ['PROJ', 'B2B'] },
      true,
    ],
    [
      {
        timeTracking: { hoursPerDay: 7.5 },
        concurrency: 8,
        squashPattern: null,
        sync: { since: '7 days ago' },
      },
      true,
    ],
    [{ postOn: 'sometimes' }, false],
    [{ concurrency: '4' }, false],
    [{ concurrency: 1.5 }, false],
    [{ strcit: true }, false],
    [{ jira: { deployment: 'server' } }, false],
    [{ projects: ['proj'] }, false],
    [{ comment: { fallback: 'subject', extra: 1 } }, false],
  ])('%j: valid %s, as jlog itself decides', (raw, ok) => {
    expect(validate(raw)).toBe(ok);
    expect(jlogAccepts(raw)).toBe(ok);
  });
});

describe('squashPattern: a pattern that could hang on a crafted message is refused', () => {
  const accepts = (pattern: string): boolean => jlogAccepts({ squashPattern: pattern });

  it('takes the patterns teams write', () => {
    for (const p of [
      '^Merged PR \\d+:',
      '\\(pull request #\\d+\\)$',
      '^Squashed \\d+ commits?',
      '(?:^|\\n)Closes #\\d+',
      '^(feat|fix)(\\([a-z-]+\\))?!?: .+ \\(#\\d+\\)$',
      '[(+*)]+ literal brackets and quantifiers in a class',
      '(ab){2,2}',
    ]) {
      expect(accepts(p), p).toBe(true);
    }
  });

  it('refuses repeated repetitions, backreferences and very long patterns', () => {
    for (const p of [
      '(a+)+$',
      '(a*)*b',
      '(\\w+\\s?)*$',
      '((ab)+c)+',
      '(?:x+y?)+z',
      '(a|b+){2,}',
      '(a)\\1',
      'x'.repeat(501),
    ]) {
      expect(accepts(p), p).toBe(false);
    }
    // Why: '(a+)+$' against 26 a's and a '!' takes seconds (each extra a doubles it), and the message
    // is a commit's, which anyone who commits writes.
    expect(() => validateConfig({ squashPattern: '(a+)+$' }, '.jlogrc.json')).toThrow(
      /squashPattern: must not repeat a repetition like \(a\+\)\+/,
    );
  });
});
