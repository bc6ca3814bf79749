// JLOG_DEBUG=1: what jlog does goes to <ledger dir>/jlog.log (never a credential: the client redacts).
import { dirname } from 'node:path';
import { appendSync, ensurePrivateDirSync } from '../ledger/nofollow.js';
import type { RepoContext } from './context.js';

export function debugLogger(
  ctx: Pick<RepoContext, 'ledger'>,
  env: NodeJS.ProcessEnv,
): ((line: string) => void) | undefined {
  if (env.JLOG_DEBUG !== '1') return undefined;
  const file = ctx.ledger.folder.logPath();
  return (line: string) => {
    try {
      ensurePrivateDirSync(dirname(file));
      appendSync(file, `${new Date().toISOString()} [${process.pid}] ${line}\n`);
    } catch {
      // debug logging must never break a run
    }
  };
}
