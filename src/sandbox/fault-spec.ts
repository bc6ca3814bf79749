// `jlog sandbox --fault <spec>`: a fault rule from one line of text, so the failure cases can be tried
// by hand (docs/commands.md). `<fault>[,method=<M>][,path=<part>][,issue=<KEY>][,times=<n>|all]` where
// `<fault>` is an HTTP status (`503`, `429`: with `Retry-After: 1`), `hang`, `drop-after-store`,
// `drop-before-store` or `latency:<ms>`.
import type { Fault, FaultRule } from './types.js';

export const FAULT_SPEC_HELP =
  '<fault>[,method=M][,path=part][,issue=KEY][,times=n|all]; fault: an HTTP status (503, 429, 500 …), ' +
  'hang, drop-after-store, drop-before-store or latency:<ms>';

const MAX_LATENCY_MS = 600_000;

function faultOf(text: string): Fault | undefined {
  if (/^[45]\d\d$/.test(text)) {
    const status = Number(text);
    return status === 429 ? { kind: 'status', status, retryAfter: 1 } : { kind: 'status', status };
  }
  if (text === 'hang' || text === 'drop-after-store' || text === 'drop-before-store') return { kind: text };
  const latency = /^latency:(\d{1,6})$/.exec(text);
  if (latency && Number(latency[1]) <= MAX_LATENCY_MS) return { kind: 'latency', ms: Number(latency[1]) };
  return undefined;
}

/** The rule, or a lowercase message saying what is wrong with the spec. */
export function parseFaultSpec(spec: string): FaultRule | { error: string } {
  const [head = '', ...options] = spec.split(',').map((p) => p.trim());
  const fault = faultOf(head.toLowerCase());
  if (fault === undefined) return { error: `unknown fault '${head}' in --fault ${spec}` };
  const rule: FaultRule = { fault };
  for (const option of options) {
    const eq = option.indexOf('=');
    const name = eq < 0 ? option : option.slice(0, eq);
    const value = eq < 0 ? '' : option.slice(eq + 1);
    if (value === '') return { error: `--fault option '${option}' needs a value (name=value)` };
    if (name === 'method') {
      if (!/^(GET|POST|PUT|DELETE)$/i.test(value))
        return { error: `--fault method must be GET, POST, PUT or DELETE` };
      rule.method = value.toUpperCase();
    } else if (name === 'path') rule.pathIncludes = value;
    else if (name === 'issue') rule.issue = value;
    else if (name === 'times') {
      if (value === 'all') rule.times = Infinity;
      else if (/^[1-9]\d{0,5}$/.test(value)) rule.times = Number(value);
      else return { error: `--fault times must be a positive number or all, not '${value}'` };
    } else return { error: `unknown --fault option '${name}' (method, path, issue, times)` };
  }
  return rule;
}
