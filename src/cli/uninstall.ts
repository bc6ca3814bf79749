// `jlog uninstall`: removes exactly what init added (hooks, an untouched starter config); the ledger stays.
import { formatAction, uninstall } from '../install/index.js';
import { out } from './output.js';

export async function run(_args: string[], _opts: Record<string, unknown>): Promise<number> {
  const cwd = process.cwd();
  const r = await uninstall(cwd);
  if (r.actions.length === 0) out('nothing to remove: no jlog hooks here');
  for (const a of r.actions) out(formatAction(a, cwd));
  return 0;
}
