// Status figure (issue 13): `jlog status` in a repo whose ledger holds 100,000 entries (years of use:
// almost all posted, a few pending and failed) against `jlog --version` (a Node start and the CLI's
// entry, the floor of any command). Goal <= 3x. The same status on a 1,000-entry ledger with the same
// pending/failed work shows whether the cost grows with the ledger's size (it must not).
// Each status runs twice in a row per round: the first may pay a one-off (a snapshot written after a
// compaction); the figure is the second, what every later status costs.
//   node bench/status.mjs          (BENCH_RUNS=n rounds)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JLOG, benchEnv, ensureBuilt, figure, fmt, initRepo, interleave, run } from './lib/env.mjs';
import { ledgerLines } from './lib/ledger.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const BIG = 100_000;
const SMALL = 1_000;

ensureBuilt();
const b = benchEnv('status');
try {
  const repos = {};
  for (const [name, entries] of [
    ['big', BIG],
    ['small', SMALL],
  ]) {
    const dir = initRepo(b.dir(name), b.env);
    mkdirSync(join(dir, '.git', 'jlog'), { recursive: true });
    writeFileSync(join(dir, '.git', 'jlog', 'ledger.jsonl'), ledgerLines(entries));
    repos[name] = dir;
  }
  const status = async (dir) => {
    await run(process.execPath, [JLOG, 'status'], { cwd: dir, env: b.env });
    return (await run(process.execPath, [JLOG, 'status'], { cwd: dir, env: b.env })).ms;
  };
  // Both checks once outside the timing: the counts are right at either size.
  for (const [name, dir] of Object.entries(repos)) {
    const r = await run(process.execPath, [JLOG, 'status', '--json'], { cwd: dir, env: b.env });
    const j = JSON.parse(r.out);
    const entries = name === 'big' ? BIG : SMALL;
    if (j.pending !== 10 || j.failed !== 10 || j.posted !== entries - 20) {
      throw new Error(
        `status --json on ${name}: ${j.pending} pending, ${j.failed} failed, ${j.posted} posted`,
      );
    }
  }
  const { med } = await interleave(RUNS, {
    version: async () =>
      (await run(process.execPath, [JLOG, '--version'], { cwd: repos.big, env: b.env })).ms,
    big: () => status(repos.big),
    small: () => status(repos.small),
  });
  const ratio = med.big / med.version;
  const growth = med.big / med.small;
  console.log(
    `status: ${BIG.toLocaleString('en')} entries ${fmt.ms(med.big)}, ${SMALL.toLocaleString('en')} entries ` +
      `${fmt.ms(med.small)}, jlog --version ${fmt.ms(med.version)} (median of ${RUNS})`,
  );
  figure({
    name: 'status 100k-entry ledger',
    ratio,
    goal: '<= 3x jlog --version',
    value: `${fmt.x(ratio)}`,
    ok: ratio <= 3,
  });
  figure({
    name: 'status growth',
    value: `100k entries / 1k entries = ${fmt.x(growth)}`,
    goal: 'flat in ledger size',
    info: true,
    ok: true,
  });
} finally {
  b.cleanup();
}
