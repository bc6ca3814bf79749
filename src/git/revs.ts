// Questions about revisions, answered with exit codes where git answers that way.
import { execGit, safeRev } from './exec.js';

/** Whether `ancestor` is reachable from `descendant`; false when either is unknown here (e.g. shallow). */
export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const r = await execGit(['merge-base', '--is-ancestor', safeRev(ancestor), safeRev(descendant)], {
    cwd,
    okCodes: [1, 128],
  });
  return r.code === 0;
}

/** Whether `sha` names a commit present in this repository. */
export async function commitExists(cwd: string, sha: string): Promise<boolean> {
  const r = await execGit(['cat-file', '-e', `${safeRev(sha)}^{commit}`], { cwd, okCodes: [1, 128] });
  return r.code === 0;
}

/** The full SHA of the commit `rev` names, or null when it names none. */
export async function resolveRev(cwd: string, rev: string): Promise<string | null> {
  const r = await execGit(['rev-parse', '--verify', '--quiet', `${safeRev(rev)}^{commit}`], {
    cwd,
    okCodes: [1, 128],
  });
  const sha = r.stdout.trim();
  return r.code === 0 && sha !== '' ? sha : null;
}

/**
 * `git rev-list <args>`: SHAs, newest first. For pre-push: [`<remote>..<local>`] or
 * [`<local>`, `--not`, `--remotes`] (the commits on no remote ref).
 */
export async function revList(cwd: string, args: readonly string[]): Promise<string[]> {
  const r = await execGit(['rev-list', ...args], { cwd });
  return r.stdout.split('\n').filter((l) => l !== '');
}

/**
 * Where a commit is: on a remote-tracking ref (pushed), only on local refs, on no ref at all (reset
 * away, dropped), or not in the repository any more (garbage-collected).
 */
export async function refsContaining(
  cwd: string,
  sha: string,
): Promise<'remote' | 'local' | 'none' | 'missing'> {
  if (!(await commitExists(cwd, sha))) return 'missing';
  const r = await execGit(
    [
      'for-each-ref',
      '--contains',
      safeRev(sha),
      '--format=%(refname)',
      'refs/remotes',
      'refs/heads',
      'refs/tags',
    ],
    {
      cwd,
      okCodes: [129],
    },
  );
  const refs = r.stdout.split('\n').filter((l) => l !== '');
  if (refs.some((ref) => ref.startsWith('refs/remotes/'))) return 'remote';
  if (refs.length > 0) return 'local';
  // A detached HEAD holds commits on no ref: they are still work in progress, not dropped.
  return (await isAncestor(cwd, sha, 'HEAD')) ? 'local' : 'none';
}
