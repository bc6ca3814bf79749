import { describe, expect, it } from 'vitest';
import { MAX_ISSUE_MARKS, MAX_PROPERTY_CHARS, fitIssueMarks } from '../src/core/marker.js';

const entry = (i: number): { id: string; fp: string } => ({
  id: `${i.toString(16).padStart(40, '0')}:0`,
  fp: `fp${i.toString(16).padStart(38, '0')}`,
});
const many = (from: number, n: number): { id: string; fp: string }[] =>
  Array.from({ length: n }, (_, i) => entry(from + i));

describe('the issue property fits what Jira accepts', () => {
  it('keeps a small property as it is', () => {
    const marks = { v: 1 as const, undone: many(0, 3), transitions: many(100, 2) };
    expect(fitIssueMarks(marks)).toEqual(marks);
  });

  it('caps each list at 500, newest last', () => {
    const fitted = fitIssueMarks({ v: 1, undone: many(0, 600), transitions: [] });
    expect(fitted.undone.length).toBeLessThanOrEqual(MAX_ISSUE_MARKS);
    expect(fitted.undone.at(-1)).toEqual(entry(599));
  });

  it('drops the oldest entries until the JSON is under 32,768 characters (500 real entries are not)', () => {
    const marks = { v: 1 as const, undone: many(0, 500), transitions: many(1000, 40) };
    expect(JSON.stringify(marks).length).toBeGreaterThan(MAX_PROPERTY_CHARS);
    const fitted = fitIssueMarks(marks);
    expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(MAX_PROPERTY_CHARS);
    expect(fitted.undone.at(-1)).toEqual(entry(499));
    expect(fitted.transitions).toEqual(marks.transitions);
    // Only as many dropped as needed: one more of the newest dropped ones would not fit.
    const dropped = entry(499 - fitted.undone.length);
    const oneMore = { ...fitted, undone: [dropped, ...fitted.undone] };
    expect(JSON.stringify(oneMore).length).toBeGreaterThan(MAX_PROPERTY_CHARS);
  });
});
