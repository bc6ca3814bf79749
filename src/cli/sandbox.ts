// `jlog sandbox [--port <n>] [--data <file>] [--projects <keys>] [--time-tracking off] [--fault <spec>…]`:
// the embedded Jira-compatible server on loopback, until Ctrl-C or SIGTERM. Prints the environment that
// points jlog at it; the options set up the failure cases to try by hand (docs/commands.md).
import { resolve } from 'node:path';
import { JlogError, usageError } from '../errors.js';
import { FAULT_SPEC_HELP, parseFaultSpec } from '../sandbox/fault-spec.js';
import { startSandbox } from '../sandbox/server.js';
import type { FaultRule } from '../sandbox/types.js';
import { out, printJson, warn } from './output.js';

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

function parseProjects(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const keys = String(value)
    .split(/[\s,]+/)
    .filter((k) => k !== '');
  const bad = keys.find((k) => !/^[A-Za-z][A-Za-z0-9]+$/.test(k));
  if (keys.length === 0 || bad !== undefined) {
    throw usageError(
      `--projects takes project keys separated by commas${bad === undefined ? '' : `, not '${bad}'`}`,
      'e.g. jlog sandbox --projects PROJ,OPS',
    );
  }
  return keys.map((k) => k.toUpperCase());
}

function parseTimeTracking(value: unknown): boolean {
  if (value === undefined || value === 'on') return true;
  if (value === 'off') return false;
  throw usageError(
    `--time-tracking must be on or off, not '${String(value)}'`,
    'e.g. jlog sandbox --time-tracking off',
  );
}

function parseFaults(value: unknown): FaultRule[] {
  const specs = value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
  return specs.map((spec) => {
    const rule = parseFaultSpec(spec);
    if ('error' in rule) throw usageError(rule.error, `--fault ${FAULT_SPEC_HELP}`);
    return rule;
  });
}

export async function run(_args: string[], opts: Record<string, unknown>): Promise<number> {
  const port = parsePort(opts.port);
  const data = typeof opts.data === 'string' ? resolve(opts.data) : undefined;
  const projects = parseProjects(opts.projects);
  const enabled = parseTimeTracking(opts.timeTracking);
  const faults = parseFaults(opts.fault);
  const options = {
    port,
    data,
    timeTracking: { enabled },
    ...(projects === undefined ? {} : { projects }),
  };
  const sandbox = await startSandbox(options).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw usageError(`port ${port} is already in use`, 'pick another --port, or omit it');
    throw new JlogError('E_CONFIG', `cannot start the sandbox: ${(err as Error).message}`, { cause: err });
  });
  for (const rule of faults) sandbox.fault(rule);
  // These are the sandbox's own throwaway credentials, not a user's secret, so printing them is fine.
  if (opts.json === true) printJson({ url: sandbox.url, env: sandbox.env });
  else for (const [name, value] of Object.entries(sandbox.env)) out(`export ${name}=${value}`);
  const extras = [
    data ? `data in ${data}` : '',
    projects ? `projects ${projects.join(',')}` : '',
    enabled ? '' : 'time tracking off',
    faults.length > 0 ? `${faults.length} fault${faults.length === 1 ? '' : 's'} queued` : '',
  ].filter((e) => e !== '');
  warn(
    `jlog sandbox: Jira-compatible server on ${sandbox.url}${extras.map((e) => `, ${e}`).join('')}; Ctrl-C to stop`,
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
