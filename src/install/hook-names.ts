// The one list of the git hooks jlog installs and answers (docs/commands.md). Its own tiny module, so the
// hook entry point can import it without loading the installer.
export const HOOK_NAMES = ['commit-msg', 'post-commit', 'post-rewrite', 'pre-push'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}
