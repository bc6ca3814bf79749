// Where the user's jlog files live. Its own module so the hooks can ask where the credentials file is
// without loading the code that reads and writes it.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$XDG_CONFIG_HOME/jlog/credentials.json`, else `~/.config/jlog/credentials.json`. */
export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'jlog', 'credentials.json');
}
