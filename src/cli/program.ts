// Commander wiring only: flags and help. Each command's module is imported when the command runs, so
// `jlog parse` never loads the Jira client and `jlog --help` loads nothing.
import { Argument, Command, Option } from 'commander';

declare const JLOG_VERSION: string;

/** What a command module exports: positional arguments and parsed options in, exit code out. */
export type CommandRun = (args: string[], opts: Record<string, unknown>) => Promise<number>;

function lazy(load: () => Promise<{ run: CommandRun }>) {
  return async function action(this: Command): Promise<void> {
    const { run } = await load();
    process.exitCode = await run(this.args, this.opts());
  };
}

const EXAMPLES = `
Examples:
  $ jlog parse "PROJ-7 #time 1h 30m fixed login"   what a message would log
  $ jlog init                                      install the git hooks
  $ jlog sync --dry-run                            what is not logged yet
  $ jlog status                                    pending, failed, recently posted
  $ jlog demo                                      everything end to end on a local sandbox`;

/** `outputError` receives commander's own error text, for the CLI entry to print in jlog's voice. */
export function createProgram(outputError: (text: string) => void = () => undefined): Command {
  const program = new Command('jlog')
    .description('Turn smart-commit #time tokens in commit messages into Jira worklogs, exactly once.')
    .version(typeof JLOG_VERSION === 'string' ? JLOG_VERSION : '0.0.0-dev', '-v, --version')
    .addHelpText('after', EXAMPLES)
    .showSuggestionAfterError()
    .exitOverride();
  program.configureOutput({ outputError: (str) => outputError(str) });

  program
    .command('parse')
    .description('show what a commit message would log, offline')
    .argument('[message]', "the message, or '-' for stdin (default: stdin when piped)")
    .option('--json', 'print JSON')
    .option('--branch <name>', 'branch name that supplies a key to #time lines without one')
    .action(lazy(() => import('./parse.js')));

  program
    .command('init')
    .description('install the git hooks (husky or plain git) and write .jlogrc.json')
    .addOption(new Option('--husky', 'install into .husky/').conflicts('git'))
    .addOption(new Option('--git', "install into git's hooks dir").conflicts('husky'))
    .option('--force', 'replace hooks jlog did not write')
    .option('--no-prepare', 'plain git: do not add "prepare": "jlog init --quiet" to package.json')
    .option('--quiet', 'print nothing unless something needs doing (for the prepare script)')
    .option('--json', 'print JSON')
    .action(lazy(() => import('./init.js')));

  program
    .command('uninstall')
    .description('remove exactly what init added')
    .option('--json', 'print JSON')
    .action(lazy(() => import('./uninstall.js')));

  program
    .command('hook')
    .description('hook entry points (commit-msg, post-commit, post-rewrite, pre-push)')
    .argument('<name>')
    .argument('[args...]')
    .action(async (name: string, args: string[]) => {
      const { runHook } = await import('./hook.js');
      process.exitCode = await runHook(name, args);
    });

  program
    .command('flush')
    .description('post every pending token now')
    .option('--json', 'print JSON')
    .addOption(new Option('--background', 'run as the detached worker the hooks start').hideHelp())
    .addOption(new Option('--shas <list>', 'only the tokens of these commits (comma-separated)').hideHelp())
    .action(lazy(() => import('./flush.js')));

  program
    .command('sync')
    .description('find commits with tokens not logged yet and post them')
    .argument('[range]', 'revision range (default: reachable from HEAD)')
    .option('--since <date>', 'only commits after this date (default: sync.since, 30 days ago)')
    .option('--until <date>', 'only commits before this date')
    .addOption(new Option('--author <email>', "only this author's commits").conflicts('allAuthors'))
    .option('--all-authors', "everyone's commits")
    .option('--retry-failed', 'also retry tokens that failed for a reason that may have been fixed')
    .option('--apply-rewrites', 'bring Jira in line with rewrites even with rewrites: "report"')
    .option('--dry-run', 'show the plan, post nothing')
    .option('--offline', 'with --dry-run: skip Jira entirely')
    .option('--json', 'print JSON')
    .action(lazy(() => import('./sync.js')));

  program
    .command('ci')
    .description('log the tokens of a pushed range in CI (all authors, remote check always)')
    .option('--range <a..b>', 'the pushed range (default: from GitHub Actions or GitLab CI)')
    .option('--dry-run', 'show the plan, post nothing')
    .option('--offline', 'with --dry-run: skip Jira entirely')
    .option('--json', 'print JSON')
    .action(lazy(() => import('./ci.js')));

  program
    .command('status')
    .description('pending, failed (with reasons) and recently posted tokens')
    .option('--json', 'print JSON')
    .action(lazy(() => import('./status.js')));

  program
    .command('report')
    .description('time logged, from the ledger')
    .option('--since <date>', 'from this date')
    .option('--until <date>', 'up to this date')
    .addOption(new Option('--by <what>', 'group by').choices(['issue', 'day']).default('issue'))
    .addOption(new Option('--json', 'print JSON').conflicts('csv'))
    .option('--csv', 'print CSV')
    .action(lazy(() => import('./report.js')));

  program
    .command('undo')
    .description('delete the worklogs a commit posted, or cancel its pending and failed tokens')
    .argument('<sha|id>', 'a commit, or one token: <sha>:<n> (jlog status lists them) or manual:<uuid>')
    .option('--yes', 'do not ask')
    .option('--json', 'print JSON')
    .action(lazy(() => import('./undo.js')));

  program
    .command('log')
    .description('log time by hand, through the same client, ledger and marker as the hooks')
    .argument('<key>', 'the issue, e.g. PROJ-7')
    .argument('<duration>', "e.g. 1h30m or '1h 30m' (units w d h m)")
    .argument('[comment...]', 'the worklog comment')
    .option('--date <when>', 'when the work started: 2026-11-27, 2026-11-27T09:00, yesterday (default: now)')
    .option('--instead-of <id>', 'the failed token this worklog stands for (recorded as moved)')
    .option('--json', 'print JSON')
    .action(lazy(() => import('./log.js')));

  program
    .command('config')
    .description('the effective configuration, each value with where it came from')
    .option('--json', 'print JSON')
    .action(lazy(() => import('./config.js')));

  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action(lazy(() => import('./completion.js')));

  program
    .command('doctor')
    .description('check git, hooks, config, credentials, Jira and time tracking')
    .option('--json', 'print JSON')
    .action(lazy(() => import('./doctor.js')));

  program
    .command('login')
    .description('store Jira credentials in your user config (checked with GET /myself first)')
    .option('--base-url <url>', 'Jira site, e.g. https://acme.atlassian.net')
    .option('--email <email>', 'Atlassian account email (Basic auth); omit for a bearer token')
    .option('--json', 'print JSON')
    .action(lazy(() => import('./login.js')));

  program
    .command('logout')
    .description('remove stored credentials')
    .action(lazy(() => import('./logout.js')));

  program
    .command('sandbox')
    .description('run the embedded Jira-compatible server on loopback')
    .option('--port <n>', 'port (default: any free port)')
    .option('--data <file>', 'keep the sandbox data in this JSON file')
    .option('--projects <keys>', 'only these projects exist (PROJ,OPS); other keys are a 404 as in Jira')
    .option('--time-tracking <on|off>', 'off: worklog writes fail as on a site without time tracking')
    .option(
      '--fault <spec>',
      'inject a fault, repeatable: 503, 429, hang, drop-after-store, drop-before-store, latency:<ms>, ' +
        'then optionally ,method=POST ,path=/worklog ,issue=PROJ-7 ,times=3|all (default: once)',
      (spec: string, prev: string[] = []) => [...prev, spec],
    )
    .option('--json', 'print the server and its environment as JSON')
    .action(lazy(() => import('./sandbox.js')));

  program
    .command('demo')
    .description('a scratch repo, the sandbox and a few commits, end to end')
    .option('--keep', 'keep the scratch directory')
    .action(lazy(() => import('./demo.js')));

  return program;
}
