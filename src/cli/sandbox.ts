// `jlog sandbox [--port <n>] [--data <file>]`: the embedded Jira-compatible server on loopback, until
// Ctrl-C or SIGTERM. Prints the environment that points jlog at it.
import { resolve } from 'node:path';
import { JlogError, usageError } from '../errors.js';
import { startSandbox } from '../sandbox/server.js';
import { out, warn } from './output.js';

function parsePort(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    throw usageError(
      `--port must be a port number (0-65535), not '${text}'`,
      'e.g. jlog sandbox --port 8080',
    );
  }
  return port;
}

export async function run(_args: string[], opts: Record<string, unknown>): Promise<number> {
  const port = parsePort(opts.port);
  const data = typeof opts.data === 'string' ? resolve(opts.data) : undefined;
  const sandbox = await startSandbox({ port, data }).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw usageError(`port ${port} is already in use`, 'pick another --port, or omit it');
    throw new JlogError('E_CONFIG', `cannot start the sandbox: ${(err as Error).message}`, { cause: err });
  });
  // These are the sandbox's own throwaway credentials, not a user's secret, so printing them is fine.
  for (const [name, value] of Object.entries(sandbox.env)) out(`export ${name}=${value}`);
  warn(
    `jlog sandbox: Jira-compatible server on ${sandbox.url}${data ? `, data in ${data}` : ''}; Ctrl-C to stop`,
  );

  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sandbox.close();
  return 0;
}
