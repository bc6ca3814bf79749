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
