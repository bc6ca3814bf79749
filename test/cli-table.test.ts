// `table` (src/cli/output.ts) aligns columns exactly as the simple map/join it replaced for speed:
// every column but a row's last padded to the widest cell, two spaces between, no trailing blanks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { table } from '../src/cli/output.js';

function reference(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

describe('table', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      table([
        ['PROJ-1', '1h', 'x'],
        ['PROJ-10', '30m', 'longer'],
      ]),
    ).toEqual(['PROJ-1   1h   x', 'PROJ-10  30m  longer']);
  });

  it('lays out any rows as the map/join version did (ragged rows, empty and blank cells included)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'é', ' ', '-', '1'), maxLength: 6 });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { maxLength: 5 }), { maxLength: 8 }), (rows) => {
        expect(table(rows)).toEqual(reference(rows));
      }),
      { numRuns: 500 },
    );
  });
});
