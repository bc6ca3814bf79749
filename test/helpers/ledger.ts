// Real processes against the real ledger: the ledger module bundled with esbuild into a temp dir, and a
// small worker script that each test process runs in one of a few modes.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
// @ts-expect-error: a plain .mjs module shared with the build script
import { nodeBundle } from '../../scripts/esbuild-node.mjs';
import type { LedgerRecord, LedgerState } from '../../src/core/types.js';

const LEDGER_SRC = fileURLToPath(new URL('../../src/ledger/ledger.ts', import.meta.url));

export function rec(
  id: string,
  state: LedgerState = 'pending',
  extra: Partial<LedgerRecord> = {},
): LedgerRecord {
  return {
    id,
    sha: id.slice(0, id.lastIndexOf(':')),
    issue: 'PROJ-1',
    seconds: 60,
    state,
    at: '2024-05-01T10:00:00.000Z',
    ...extra,
  };
}

const WORKER = `
import { Ledger } from './ledger.mjs';
import { setTimeout as sleep } from 'node:timers/promises';
const [mode, dir, tag, arg] = process.argv.slice(2);
const ledger = Ledger.open(dir);
const rec = (id, state = 'pending', extra = {}) => ({
  id, sha: id.slice(0, id.lastIndexOf(':')), issue: 'PROJ-1', seconds: 60, state,
  at: new Date().toISOString(), ...extra,
});
const say = (line) => process.stdout.write(line + '\\n');
switch (mode) {
  case 'append-loop': {
    // Appends batches until killed; "ok" only after append() returned (the batch is durable).
    say('ready');
    for (let i = 0; ; i++) {
      const size = 1 + (i % 7);
      const batch = Array.from({ length: size }, (_, k) => rec(tag + '-' + i + ':' + k, 'pending', { comment: 'x'.repeat(k * 50) }));
      await ledger.append(batch);
      say('ok ' + tag + '-' + i + ' ' + size);
      if (i % 3 === 0) await sleep(Math.floor(Math.random() * 4));
    }
  }
  case 'append-n': {
    const n = Number(arg);
    for (let i = 0; i < n; ) {
      const size = Math.min(n - i, 1 + Math.floor(Math.random() * 10));
      await ledger.append(Array.from({ length: size }, (_, k) => rec(tag + ':' + (i + k), 'pending', { comment: tag + ' #' + (i + k) })));
      i += size;
    }
    say('done');
    break;
  }
  case 'claim': {
    // Claims pending ids one at a time, as the poster does before each POST.
    let claimed = 0;
    for (;;) {
      const id = await ledger.update((view) => {
        const next = view.all().find((r) => r.state === 'pending');
        return next ? { records: [{ ...next, state: 'skipped', error: tag }], result: next.id } : { records: [], result: null };
      });
      if (id === null) break;
      claimed++;
    }
    say('claimed ' + claimed);
    break;
  }
  case 'hold-post': {
    const keepAlive = setInterval(() => {}, 1000);
    await ledger.folder.withLock('post', async () => {
      say('held');
      await new Promise(() => {});
    }, { wait: false }).then((r) => { if (r === null) { say('busy'); clearInterval(keepAlive); } });
    break;
  }
  case 'try-post': {
    const r = await ledger.folder.withLock('post', async () => 'acquired', { wait: false });
    say(r ?? 'null');
    break;
  }
  case 'wait-post': {
    const r = await ledger.folder.withLock('post', async () => 'acquired', { wait: true, timeoutMs: Number(arg) });
    say(r ?? 'null');
    break;
  }
  case 'serial-post': {
    // Enter and exit records around a pause: if two posters overlapped, their records interleave.
    await ledger.folder.withLock('post', async () => {
      await ledger.append([rec('enter-' + tag + ':0')]);
      await sleep(40);
      await ledger.append([rec('exit-' + tag + ':0')]);
    }, { wait: true, timeoutMs: 60000 });
    say('done');
    break;
  }
  default:
    throw new Error('unknown mode ' + mode);
}
`;

/** Bundles the ledger and writes the worker into `dir`; returns the worker's path. */
export async function buildWorker(dir: string): Promise<string> {
  await build({
    entryPoints: [LEDGER_SRC],
    outfile: join(dir, 'ledger.mjs'),
    ...nodeBundle,
  });
  const worker = join(dir, 'worker.mjs');
  writeFileSync(worker, WORKER);
  return worker;
}

export interface Worker {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  /** Resolves with the first line (seen so far or later) that satisfies `pred`. */
  waitFor(pred: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

export function startWorker(worker: string, args: string[], staleMs = 2000): Worker {
  const child = spawn(process.execPath, [worker, ...args], {
    env: { ...process.env, JLOG_LOCK_STALE_MS: String(staleMs) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let buf = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pred(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitFor(pred, timeoutMs = 30_000) {
      const seen = lines.find(pred);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(
            new Error(
              `worker ${args.join(' ')}: no expected line in ${timeoutMs} ms; stdout ${lines.join('|')}; stderr ${stderr}`,
            ),
          );
        }, timeoutMs);
        const done = (l: string) => {
          clearTimeout(timer);
          resolve(l);
        };
        waiters.push({ pred, resolve: done });
        void exited.then(() => {
          // Give the last stdout chunk a chance to arrive first.
          setTimeout(() => {
            if (waiters.some((w) => w.resolve === done)) {
              clearTimeout(timer);
              reject(
                new Error(`worker ${args.join(' ')} exited; stdout ${lines.join('|')}; stderr ${stderr}`),
              );
            }
          }, 50);
        });
      });
    },
  };
}
