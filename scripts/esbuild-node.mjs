// What every esbuild bundle of jlog's sources needs to run on Node as ESM (dist/, benches, test
// fixtures): bundled CommonJS dependencies call require() for built-ins, and write-file-atomic reads
// __filename; cosmiconfig's loader for .ts configs (which jlog never searches) would pull in the
// whole TypeScript compiler.
export const NODE_BANNER =
  "import { createRequire as __jlogCreateRequire } from 'node:module';\n" +
  'const require = __jlogCreateRequire(import.meta.url);\n' +
  'const __filename = import.meta.filename;';

export const nodeBundle = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: ['typescript'],
  banner: { js: NODE_BANNER },
  logLevel: 'warning',
};
