// `npm run bench`: every figure of issue 13, one line each (name, ratio, goal, pass/miss), then the
// growth lines. Each bench runs in its own Node process, one after the other (so they do not load the
// machine for each other); their own detail goes to stderr-free stdout above the summary.
// Exit code 1 when a goal is missed. BENCH_ONLY=scan,post picks benches.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, ensureBuilt } from './lib/env.mjs';

const BENCHES = ['scan', 'post', 'hooks', 'status'];
const only = process.env.BENCH_ONLY?.split(',');

ensureBuilt();
const figures = [];
for (const name of BENCHES.filter((n) => !only || only.includes(n))) {
  console.log(`--- ${name}`);
  const code = await new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bench', `${name}.mjs`)], {
      cwd: ROOT,
      env: { ...process.env, BENCH_BUILT: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    p.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('FIGURE ')) figures.push(JSON.parse(line.slice(7)));
        else console.log(`  ${line}`);
      }
    });
    p.on('close', resolve);
  });
  if (code !== 0 && !figures.some((f) => f.name.startsWith(name === 'hooks' ? 'hook' : name))) {
    figures.push({ name, value: `bench failed (exit ${code})`, goal: '-', ok: false });
  }
}

console.log(
  '\nfigure                          ratio                       goal                        result',
);
for (const f of figures.filter((x) => !x.info)) {
  console.log(
    `${f.name.padEnd(32)}${String(f.value).padEnd(28)}${f.goal.padEnd(28)}${f.ok ? 'pass' : 'MISS'}`,
  );
}
for (const f of figures.filter((x) => x.info)) console.log(`${f.name.padEnd(32)}${f.value}`);
if (figures.some((f) => !f.ok)) process.exitCode = 1;
