import { describe, expect, it } from 'vitest';
import { runJlog } from './helpers/cli.js';

describe('jlog CLI', () => {
  it('prints help with examples and exits 0', async () => {
    const r = await runJlog(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('jlog parse');
  });

  it('rejects an unknown command with exit 2 and no stack trace', async () => {
    const r = await runJlog(['nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'nope'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints its version', async () => {
    const r = await runJlog(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
