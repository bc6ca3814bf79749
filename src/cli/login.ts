// jlog login: store credentials for a Jira site, only after GET /myself has accepted them (docs/commands.md).
import { loadConfig } from '../config/load.js';
import { saveCredentials, storedDefaultSite, type Auth, type Credentials } from '../config/credentials.js';
import { baseUrlFix, baseUrlProblem, normalizeBaseUrl } from '../config/validate.js';
import { apiRoot, apiRootHint } from '../engine/api-root-hint.js';
import { JlogError, isJlogError } from '../errors.js';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { out, printJson } from './output.js';

const TOKEN_PAGE = 'https://id.atlassian.com/manage-profile/security/api-tokens';
/** Where Data Center keeps personal access tokens: Atlassian's token page is for Cloud accounts only. */
const PAT_PAGE = 'Personal Access Tokens';

function opt(opts: Record<string, unknown>, name: string): string | undefined {
  const v = opts[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

export async function run(_args: string[], opts: Record<string, unknown>): Promise<number> {
  const env = process.env;
  const tty = interactive();
  const { config, filepath } = await loadConfig(process.cwd());

  // Where the token goes (docs/configuration.md): the user names the site; a repository's config only
  // suggests one, and the user confirms it on a terminal (without one, it must be named with --base-url).
  let site: string | undefined;
  let from: string;
  const flagUrl = opt(opts, 'baseUrl');
  const envUrl = env.JIRA_BASE_URL?.trim() || undefined;
  if (flagUrl) [site, from] = [flagUrl, '--base-url'];
  else if (envUrl) [site, from] = [envUrl, 'JIRA_BASE_URL'];
  else if (config.jira.baseUrl) {
    site = config.jira.baseUrl;
    from = `the repository's config (${filepath ?? 'jira.baseUrl'})`;
    if (!tty) {
      throw new JlogError(
        'E_USAGE',
        `the site ${site} comes from the repository's config; jlog login sends a token only to a site you name`,
        { hint: `if it is your Jira site, run: jlog login --base-url ${site}` },
      );
    }
  } else {
    site = storedDefaultSite(env) ?? undefined;
    from = 'your last login';
    if (!site && tty) [site, from] = [await ask('Jira site (e.g. https://acme.atlassian.net): '), 'you'];
  }
  if (!site) {
    throw new JlogError('E_USAGE', 'no Jira site given', {
      hint: 'pass --base-url https://your-site.atlassian.net (or set JIRA_BASE_URL)',
    });
  }
  const baseUrl = normalizeBaseUrl(site);
  const problem = baseUrlProblem(baseUrl);
  if (problem !== null)
    throw new JlogError('E_USAGE', `--base-url ${problem}`, { hint: baseUrlFix(baseUrl) });
  process.stderr.write(`jlog: the token goes to ${baseUrl} (from ${from})\n`);
  if (from.startsWith("the repository's config")) {
    const answer = await ask(`send your Jira token to ${baseUrl}? [y/N] `);
    if (!/^y(es)?$/i.test(answer)) {
      throw new JlogError('E_USAGE', 'not confirmed; nothing was sent or stored', {
        hint: 'name your site: jlog login --base-url https://your-site.atlassian.net',
      });
    }
  }
  const deployment = config.jira.deployment;

  let email = opt(opts, 'email') ?? env.JIRA_USER_EMAIL?.trim();
  if (!email && tty) {
    email = await ask(
      deployment === 'cloud'
        ? 'Atlassian account email (empty for a bearer token): '
        : 'User name or email for Basic auth (empty for a personal access token): ',
    );
  }
  let token: string;
  if (tty) {
    const prompt = !email
      ? 'Token: '
      : deployment === 'cloud'
        ? `API token (from ${TOKEN_PAGE}): `
        : 'Password: ';
    token = await ask(prompt, { secret: true });
  } else {
    token = (await readFirstLine()).trim();
  }
  if (!token) {
    throw new JlogError(
      'E_CREDENTIALS',
      tty ? 'no token given; nothing was stored' : 'no token on stdin; nothing was stored',
      {
        hint:
          deployment !== 'cloud'
            ? `create a personal access token (your Jira profile > ${PAT_PAGE})${tty ? '' : ', then pipe it in: printf "%s\\n" "$TOKEN" | jlog login --base-url <url>'}`
            : tty
              ? `create one at ${TOKEN_PAGE}`
              : 'pipe it in: printf "%s\\n" "$TOKEN" | jlog login --base-url <url> --email <email>',
      },
    );
  }
  if (!/^[\x20-\x7e]+$/.test(token)) {
    throw new JlogError(
      'E_CREDENTIALS',
      'the token has characters a token cannot have (only printable ASCII); nothing was stored',
      {
        hint: 'paste the token alone',
      },
    );
  }
  const auth: Auth = email ? { type: 'basic', email, token } : { type: 'bearer', token };
  const creds: Credentials = { baseUrl, deployment, auth };

  const user = await verify(creds, config.timeoutMs);
  await saveCredentials(creds, env);
  // Never the token: the site, and whose account it is.
  if (opts.json === true) printJson({ baseUrl, deployment, account: user.displayName });
  else out(`logged in to ${baseUrl} as ${user.displayName}`);
  if (env.JIRA_API_TOKEN) {
    process.stderr.write(
      'jlog: note: JIRA_API_TOKEN is set in your environment and takes precedence over the stored login\n',
    );
  }
  return 0;
}

/** GET /myself with the new credentials; a 401 becomes a credentials error that stores nothing. */
async function verify(creds: Credentials, timeoutMs: number): Promise<{ displayName: string }> {
  const { createJiraClient } = await import('../jira/client.js');
  const client = createJiraClient(creds, { timeoutMs, concurrency: 1, maxRetries: 1 });
  try {
    return await client.myself();
  } catch (err) {
    if (isJlogError(err, 'E_JIRA_AUTH')) {
      throw new JlogError(
        'E_CREDENTIALS',
        `${creds.baseUrl} did not accept these credentials (401); nothing was stored`,
        {
          cause: err,
          hint:
            creds.deployment !== 'cloud'
              ? creds.auth.type === 'basic'
                ? `check the user name and password; a personal access token goes without --email (your Jira profile > ${PAT_PAGE})`
                : `check the personal access token (your Jira profile > ${PAT_PAGE}): it may have expired or been revoked`
              : creds.auth.type === 'basic'
                ? `check the email and the token (create a new one at ${TOKEN_PAGE})`
                : 'check the token; for an Atlassian API token, also give --email',
        },
      );
    }
    if (isJlogError(err, 'E_JIRA_NOT_FOUND')) {
      // The site has no such API (a Data Center site with the Cloud default): no issue is involved.
      throw new JlogError(
        'E_CREDENTIALS',
        `cannot log in to ${creds.baseUrl}: Jira answered 404 for ${apiRoot(creds.deployment)}/myself; nothing was stored`,
        { cause: err, hint: apiRootHint(creds.baseUrl, creds.deployment) },
      );
    }
    if (isJlogError(err) && err.code.startsWith('E_JIRA_')) {
      // Nothing is pending at login: say what happened, plainly, and store nothing.
      throw new JlogError(
        'E_CREDENTIALS',
        `cannot log in to ${creds.baseUrl}: ${reason(err)}; nothing was stored`,
        {
          cause: err,
          hint: 'check the site address (and your network or VPN), then run jlog login again',
        },
      );
    }
    throw err;
  } finally {
    await client.close();
  }
}

/** Why a request failed, in a few words: the network error's code, else Jira's status. */
function reason(err: JlogError): string {
  for (let c: unknown = err.cause; c instanceof Error; c = c.cause) {
    const code = (c as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host is not found';
    if (code === 'ECONNREFUSED') return 'the host refused the connection';
    if (code && /TIMEOUT/i.test(code)) return 'the host did not answer in time';
    if (code === 'ECONNRESET') return 'the connection was reset';
  }
  if (err.status !== undefined) return `Jira answered ${err.status}`;
  return 'the host cannot be reached';
}

// ---- asking on a terminal (prompts on stderr: stdout stays the result), reading a piped token ----

function interactive(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** One answer from the terminal; `secret` turns echo off (nothing typed is shown). */
function ask(question: string, opts: { secret?: boolean } = {}): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve, reject) => {
    let answered = false;
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      if (opts.secret) process.stderr.write('\n');
      if (!answered) reject(new JlogError('E_USAGE', 'cancelled; nothing was stored'));
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer.trim());
    });
    // After the question is on screen: from here on, what is typed is not echoed.
    muted = opts.secret === true;
  });
}

/** The first line of stdin (a token piped in), without the line ending; '' when stdin is empty. */
function readFirstLine(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let done = false;
    const finish = (text: string) => {
      if (done) return;
      done = true;
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      if ('destroy' in input && typeof input.destroy === 'function') input.destroy();
      resolve(text.replace(/\r$/, ''));
    };
    const onData = (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const nl = buffered.indexOf('\n');
      if (nl >= 0) finish(buffered.slice(0, nl));
      else if (buffered.length > 64 * 1024)
        reject(new JlogError('E_CREDENTIALS', 'the token on stdin is too long'));
    };
    const onEnd = () => finish(buffered);
    const onError = (err: unknown) =>
      reject(new JlogError('E_CREDENTIALS', 'cannot read stdin', { cause: err }));
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
  });
}
