// Ledgers of years of use for the benches: `entries` records of commits made long ago, almost all
// posted; the last 20 are the work status shows (10 pending, 10 failed).
export function ledgerLines(entries) {
  const out = [];
  for (let i = 0; i < entries; i++) {
    const sha = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0') + i.toString(16).padStart(32, '0');
    const state = i >= entries - 10 ? 'pending' : i >= entries - 20 ? 'failed' : 'posted';
    out.push(
      JSON.stringify({
        id: `${sha}:0`,
        sha,
        issue: `PROJ-${1 + (i % 500)}`,
        seconds: 60 * (1 + (i % 240)),
        state,
        at: new Date(1_700_000_000_000 + i * 60_000).toISOString(),
        started: '2024-05-01T10:00:00.000+0200',
        comment: `fixed the thing number ${i}`,
        fp: `fp${i.toString(36).padStart(12, '0')}`,
        authorEmail: 'dev@example.com',
        ...(state === 'posted' ? { worklogId: String(10_000 + i) } : {}),
        ...(state === 'failed' ? { error: 'issue does not exist or you lack permission' } : {}),
      }),
    );
  }
  return out.join('\n') + '\n';
}
