// `jlog uninstall`: removes exactly what init added (hooks, an untouched starter config); the ledger stays.
import { formatAction, uninstall } from '../install/index.js';
import { relative } from 'node:path';
import { out, printJson } from './output.js';

export async function run(_args: string[], opts: Record<string, unknown>): Promise<number> {
  const cwd = process.cwd();
  const r = await uninstall(cwd);
  if (opts.json === true) {
    printJson({
      actions: r.actions.map((a) => ({
        path: relative(cwd, a.path),
        change: a.change,
        ...(a.note ? { note: a.note } : {}),
      })),
    });
    return 0;
  }
  if (r.actions.length === 0) out('nothing to remove: no jlog hooks here');
  for (const a of r.actions) out(formatAction(a, cwd));
  return 0;
}
