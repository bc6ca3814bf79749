// HEAD read straight from the object store, for the post-commit hook: a commit that was just made is a
// loose object, and reading it costs a few milliseconds where starting git costs tens (docs/commands.md: git
// is never slowed down). Anything unusual (packed object, non-UTF-8 encoding, odd layout) answers null and
// the caller asks git instead.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { Commit } from '../core/types.js';
import { gitDirsAt } from './dirs.js';

export interface HeadLayout {
  top: string;
  gitDir: string;
  commonDir: string;
  branch: string | null;
}

/** Where the repository's git dirs are, from files alone (as the hook shims find them); null if unsure. */
export function layoutAt(top: string, env: NodeJS.ProcessEnv = process.env): HeadLayout | null {
  const dirs = gitDirsAt(top, env);
  if (dirs === null) return null;
  const head = readText(join(dirs.gitDir, 'HEAD'));
  if (head === null) return null;
  const ref = /^ref: refs\/heads\/(.+)$/.exec(head);
  return { top, ...dirs, branch: ref ? ref[1]! : null };
}

/** HEAD's commit and its committer's email (the local user, for a commit just made), or null. */
export function readHeadCommit(layout: HeadLayout): { commit: Commit; committerEmail: string } | null {
  try {
    const sha = resolveHead(layout);
    if (sha === null) return null;
    const path = join(layout.commonDir, 'objects', sha.slice(0, 2), sha.slice(2));
    if (!existsSync(path)) return null; // packed: ask git
    const raw = inflateSync(readFileSync(path));
    const nul = raw.indexOf(0);
    if (nul < 0 || !raw.subarray(0, nul).toString('latin1').startsWith('commit ')) return null;
    return parseCommitObject(sha, raw.subarray(nul + 1).toString('utf8'));
  } catch {
    return null;
  }
}

/** HEAD's SHA from the files alone (loose or packed ref, or a detached HEAD), or null. */
export function headSha(layout: HeadLayout): string | null {
  try {
    return resolveHead(layout);
  } catch {
    return null;
  }
}

function resolveHead(layout: HeadLayout): string | null {
  const head = readText(join(layout.gitDir, 'HEAD'));
  if (head === null) return null;
  if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(head)) return head;
  const ref = /^ref: (refs\/.+)$/.exec(head)?.[1];
  if (ref === undefined) return null;
  const loose = readText(join(layout.commonDir, ref)) ?? readText(join(layout.gitDir, ref));
  if (loose !== null) return /^[0-9a-f]{40,64}$/.test(loose) ? loose : null;
  const packed = readText(join(layout.commonDir, 'packed-refs'));
  const line = packed?.split('\n').find((l) => l.endsWith(` ${ref}`));
  return line ? line.split(' ')[0]! : null;
}

const IDENT = /^(.*) <([^>]*)> (\d+) ([+-])(\d\d)(\d\d)$/;

/** A raw commit object (headers, blank line, message) as the fields `git log` would print. Pure. */
export function parseCommitObject(
  sha: string,
  text: string,
): { commit: Commit; committerEmail: string } | null {
  const end = text.indexOf('\n\n');
  const headerText = end < 0 ? text : text.slice(0, end);
  const message = end < 0 ? '' : text.slice(end + 2);
  const parents: string[] = [];
  let author: RegExpExecArray | null = null;
  let committer: RegExpExecArray | null = null;
  for (const line of headerText.split('\n')) {
    if (line.startsWith(' ')) continue; // continuation of a multi-line header (gpgsig)
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'parent') parents.push(value);
    else if (key === 'author') author = IDENT.exec(value);
    else if (key === 'committer') committer = IDENT.exec(value);
    else if (key === 'encoding' && !/^utf-?8$/i.test(value)) return null;
  }
  if (author === null || committer === null) return null;
  const [, name, email, epoch, sign, hh, mm] = author as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const offsetMin = (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));
  const local = new Date(Number(epoch) * 1000 + offsetMin * 60_000).toISOString().slice(0, 19);
  const authorDate = `${local}${sign}${hh}:${mm}`;
  // %s: the first paragraph, its lines joined by spaces.
  const firstParagraph = message.replace(/^\n+/, '').split(/\n[ \t]*\n/)[0] ?? '';
  const subject = firstParagraph
    .split('\n')
    .map((l) => l.trim())
    .join(' ')
    .trim();
  return {
    commit: { sha, parents, authorName: name, authorEmail: email, authorDate, subject, message },
    committerEmail: committer[2]!,
  };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}
