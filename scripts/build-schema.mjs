// Writes schema/jlogrc.schema.json, the JSON Schema of the config, from the zod schema that validates
// it (src/config/validate.ts): one definition, so the editor's schema never drifts from jlog's checks.
// Config files may point at it with "$schema": "./node_modules/jlog/schema/jlogrc.schema.json".
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeBundle } from './esbuild-node.mjs';

const tmp = join('node_modules', '.cache', `jlog-schema-${process.pid}.mjs`);
mkdirSync(join('node_modules', '.cache'), { recursive: true });
await build({
  ...nodeBundle,
  stdin: {
    contents:
      "export { configSchema } from './src/config/validate.ts';\nexport { toJSONSchema } from 'zod/mini';\n",
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  outfile: tmp,
  logLevel: 'error',
});
try {
  const { configSchema, toJSONSchema } = await import(pathToFileURL(join(process.cwd(), tmp)).href);
  // Refinements (a URL jlog accepts, a date it reads) cannot be said in JSON Schema: jlog still checks them.
  const generated = toJSONSchema(configSchema, { unrepresentable: 'any', io: 'input' });
  const schema = {
    $schema: generated.$schema,
    title: 'jlog configuration',
    description:
      'The .jlogrc / .jlogrc.json / package.json#jlog settings of jlog. Credentials never go here: use JIRA_API_TOKEN or jlog login.',
    ...generated,
  };
  mkdirSync('schema', { recursive: true });
  writeFileSync(join('schema', 'jlogrc.schema.json'), JSON.stringify(schema, null, 2) + '\n');
} finally {
  rmSync(tmp, { force: true });
}
