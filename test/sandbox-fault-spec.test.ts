// `jlog sandbox --fault <spec>`: the spec grammar, table-driven.
import { describe, expect, it } from 'vitest';
import { parseFaultSpec } from '../src/sandbox/fault-spec.js';

describe('parseFaultSpec', () => {
  it.each([
    ['503', { fault: { kind: 'status', status: 503 } }],
    ['429', { fault: { kind: 'status', status: 429, retryAfter: 1 } }],
    ['hang', { fault: { kind: 'hang' } }],
    ['drop-after-store', { fault: { kind: 'drop-after-store' } }],
    ['DROP-BEFORE-STORE', { fault: { kind: 'drop-before-store' } }],
    ['latency:1500', { fault: { kind: 'latency', ms: 1500 } }],
    [
      '500, method=put, path=/properties/, issue=PROJ-7, times=all',
      {
        fault: { kind: 'status', status: 500 },
        method: 'PUT',
        pathIncludes: '/properties/',
        issue: 'PROJ-7',
        times: Infinity,
      },
    ],
    ['hang,times=3', { fault: { kind: 'hang' }, times: 3 }],
  ])('%s', (spec, rule) => {
    expect(parseFaultSpec(spec)).toEqual(rule);
  });

  it.each([
    ['', /unknown fault ''/],
    ['200', /unknown fault '200'/],
    ['latency:9999999', /unknown fault/],
    ['503,method=PATCH', /method must be/],
    ['503,times=0', /times must be/],
    ['503,times=x', /times must be/],
    ['503,color=red', /unknown --fault option 'color'/],
    ['503,path', /needs a value/],
  ])('refuses %j', (spec, message) => {
    const res = parseFaultSpec(spec);
    expect(res).toHaveProperty('error');
    expect((res as { error: string }).error).toMatch(message);
  });
});
