// The git chokepoint: everything jlog asks git goes through these functions (and execGit under them).
export { execGit, type ExecGitOptions, type GitResult } from './exec.js';
export {
  repoInfo,
  getConfig,
  gitPath,
  hooksDir,
  isRebaseInProgress,
  isCherryPickInProgress,
  type RepoInfo,
} from './repo.js';
export { readCommits, readCommit, parseLogOutput, LOG_FORMAT, type ReadCommitsOptions } from './commits.js';
export { isAncestor, commitExists, resolveRev, revList, refsContaining } from './revs.js';
export { layoutAt, readHeadCommit, parseCommitObject, type HeadLayout } from './head.js';
export { gitDirsAt, type GitDirs } from './dirs.js';
