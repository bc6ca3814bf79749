// What init and uninstall did, one line per file, for the user to read (`+ .git/hooks/pre-push`).
import { isAbsolute, relative } from 'node:path';

export type Change =
  'created' | 'appended' | 'updated' | 'unchanged' | 'chained' | 'replaced' | 'removed' | 'restored' | 'kept';

export interface Action {
  /** Absolute path of the file acted on. */
  path: string;
  change: Change;
  /** Why, when it is not obvious (e.g. what a chained hook became). */
  note?: string;
}

const SIGN: Record<Change, string> = {
  created: '+',
  appended: '~',
  updated: '~',
  chained: '~',
  restored: '~',
  replaced: '!',
  kept: '!',
  removed: '-',
  unchanged: '=',
};

export function formatAction(a: Action, cwd: string): string {
  const rel = relative(cwd, a.path);
  const shown = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? a.path : rel;
  const plain = a.change === 'created' || a.change === 'removed';
  const detail = plain ? (a.note ? ` (${a.note})` : '') : ` (${a.change}${a.note ? `: ${a.note}` : ''})`;
  return `${SIGN[a.change]} ${shown}${detail}`;
}
