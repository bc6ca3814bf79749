// Where a run happens: the repository, its configuration and its ledger. Every trigger starts here.
import { loadConfig, type ConfigMemo } from '../config/load.js';
import type { JlogConfig } from '../config/schema.js';
import { repoInfo, type HeadLayout, type RepoInfo } from '../git/index.js';
import { Ledger, ledgerDirFor } from '../ledger/ledger.js';

export interface RepoContext {
  cwd: string;
  repo: RepoInfo;
  config: JlogConfig;
  configPath: string | null;
  ledger: Ledger;
  env: NodeJS.ProcessEnv;
}

export async function openRepo(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<RepoContext> {
  const repo = await repoInfo(cwd);
  const { config, filepath } = await loadConfig(repo.top);
  return { cwd, repo, config, configPath: filepath, ledger: Ledger.open(ledgerDirFor(repo.commonDir)), env };
}

/** The same context without starting git, from a layout read off the files (the post-commit fast path). */
export async function openRepoAt(
  layout: HeadLayout,
  head: string,
  userEmail: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RepoContext> {
  const repo: RepoInfo = { ...layout, userEmail, head, isShallow: false };
  const ledger = Ledger.open(ledgerDirFor(repo.commonDir));
  const { config, filepath } = await loadConfig(repo.top, configMemo(ledger));
  return { cwd: repo.top, repo, config, configPath: filepath, ledger, env };
}

/** The last config the hooks validated, beside the ledger. */
function configMemo(ledger: Ledger): ConfigMemo {
  return {
    async get(key) {
      const hit = (await ledger.folder.readCache<{ key: string; config: JlogConfig }>('config'))?.value;
      return hit?.key === key ? hit.config : null;
    },
    set: (key, config) => ledger.folder.writeCache('config', { key, config }),
  };
}
