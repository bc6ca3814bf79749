// Linearity of the grammar: the time per byte of big and adversarial messages against the same inputs
// at 1 KB and at 1/16 of the size, measured in the same process (median of several runs). Exits 1 if any
// case is superlinear (ratio above LIMIT). Usage: node bench/grammar.mjs
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Against 1 KB (quadratic would be ~1000; a warm JIT on a tiny input and GC on a big one alone give up
 * to ~8 here, measured); against 1/16 of the size (quadratic would be ~16, GC alone ~2-6).
 */
const LIMIT = 20;
const GROWTH_LIMIT = 8;
const RUNS = 9;

const dir = mkdtempSync(join(tmpdir(), 'jlog-bench-grammar-'));
let grammar;
try {
  await build({
    entryPoints: ['src/core/grammar.ts'],
    outfile: join(dir, 'grammar.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
  });
  grammar = await import(pathToFileURL(join(dir, 'grammar.mjs')).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const { parseMessage, insertBranchKey, fallbackComment } = grammar;

const OPTS = { projects: null, hoursPerDay: 8, daysPerWeek: 5, maxSeconds: 1e12 };
const MB = 1 << 20;
const fill = (unit, bytes = MB) => unit.repeat(Math.ceil(bytes / unit.length));

const everyday =
  'PROJ-7 Fix login redirect #time 1h 30m fixed login\n\nSee https://acme.atlassian.net/browse/OPS-2.\n';
const realistic = [
  "Merge branch 'feature/PROJ-7-login' into main",
  '',
  '* PROJ-7 #time 1h 30m login form #comment done #resolve',
  '* [PROJ-8, OPS-2]: tidy up #time 45m',
  'Revert "PROJ-9 #time 2h"',
  'Plain prose about the change, with no tokens at all, wrapped at seventy-two columns.',
  '    indented PROJ-10 #time 1x broken unit',
  '#time 15m keyless',
  '',
].join('\n');

const parse = (m) => parseMessage(m, OPTS);
const insert = (m) => insertBranchKey(m, 'feature/PROJ-7', OPTS);
const fallback = (m) => fallbackComment(m, OPTS);
// [name, function, input of about `bytes`]: each case runs at 1 MB, at 64 KB and at 1 KB (its baseline).
const cases = [
  ['realistic message', parse, (bytes) => fill(realistic, bytes)],
  [
    'one line of #time tokens (10,000 at full size)',
    parse,
    (bytes) => 'PROJ-1 ' + '#time 1h '.repeat(Math.round((bytes / MB) * 10_000)),
  ],
  ['one group of keys, one #time', parse, (bytes) => fill('PROJ-1, ', bytes) + '#time 1h'],
  ['key-like junk', parse, (bytes) => '#time ' + fill('ABCD-ABCD-1x PROJ-PROJ-', bytes)],
  ['commands without keys', parse, (bytes) => fill('#a-b-c ', bytes)],
  ['one long duration', parse, (bytes) => 'PROJ-1 #time ' + fill('1h', bytes)],
  ['#time then whitespace', parse, (bytes) => 'PROJ-1 #time ' + fill(' \t', bytes)],
  ['spaces before a command', parse, (bytes) => fill(' ', bytes) + 'x #time 1h'],
  ['insertBranchKey: #time lines', insert, (bytes) => fill('#time 1h\n', bytes)],
  ['fallbackComment: long subject', fallback, (bytes) => fill('PROJ-1 fix (PROJ-2) #time 1h ', bytes)],
];

/** Nanoseconds per byte of `fn(input)`, repeated until at least `ms` have passed. */
function perByte(fn, input, ms = 20) {
  let reps = 0;
  const start = process.hrtime.bigint();
  const limit = BigInt(ms) * 1_000_000n;
  let elapsed;
  do {
    fn(input);
    reps++;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < limit);
  return Number(elapsed) / reps / input.length;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

perByte(parse, everyday, 300); // warm up the JIT: small inputs need many calls to reach optimised code
console.log(
  `ns/byte of each case at full size ÷ ns/byte of the same case at 1 KB (the baseline, measured just before it)\n` +
    `and ÷ ns/byte at 1/16 of the size; medians of ${RUNS} runs. Linear stays near 1, quadratic grows with the size.`,
);
let worst = 0;
let worstGrowth = 0;
for (const [name, fn, make] of cases) {
  const big = make(MB);
  const mid = make(MB / 16);
  const small = make(1024);
  for (const input of [big, mid]) perByte(fn, input, 50);
  perByte(fn, small, 200);
  const ratios = [];
  const growths = [];
  const nss = [];
  for (let r = 0; r < RUNS; r++) {
    const b = perByte(fn, small);
    const ns = perByte(fn, big);
    const nsMid = perByte(fn, mid);
    nss.push(ns);
    ratios.push(ns / b);
    growths.push(ns / nsMid);
  }
  const ratio = median(ratios);
  const growth = median(growths);
  worst = Math.max(worst, ratio);
  worstGrowth = Math.max(worstGrowth, growth);
  const size =
    big.length >= MB ? `${(big.length / MB).toFixed(2)} MB` : `${(big.length / 1024).toFixed(0)} KB`;
  console.log(
    `${name.padEnd(46)} ${size.padStart(8)}  ${median(nss).toFixed(1).padStart(6)} ns/byte` +
      `  vs 1 KB ${ratio.toFixed(2).padStart(5)}  vs 1/16 size ${growth.toFixed(2)}`,
  );
}
console.log(
  `worst: ${worst.toFixed(2)} vs 1 KB (limit ${LIMIT}), ${worstGrowth.toFixed(2)} vs 1/16 size (limit ${GROWTH_LIMIT})`,
);
if (worst > LIMIT || worstGrowth > GROWTH_LIMIT) {
  console.error('superlinear: some input costs more per byte at 1 MB than at a fraction of the size');
  process.exit(1);
}
