// Faults queued by tests: each rule answers the requests it matches, in queue order, until used up.
import type { Fault, FaultRule } from './types.js';

interface QueuedRule extends FaultRule {
  left: number;
}

export interface RequestTarget {
  method: string;
  path: string;
  /** The issue key or id in the path, upper-cased, when the path names one. */
  issue: string | undefined;
}

export class FaultQueue {
  private rules: QueuedRule[] = [];

  add(rule: FaultRule): void {
    const times = rule.times ?? 1;
    if (!(times > 0)) throw new RangeError('fault times must be positive');
    this.rules.push({ ...rule, left: times });
  }

  clear(): void {
    this.rules = [];
  }

  /** The first queued fault that matches this request, consumed; undefined when none does. */
  take(target: RequestTarget): Fault | undefined {
    const index = this.rules.findIndex((r) => matches(r, target));
    if (index < 0) return undefined;
    const rule = this.rules[index] as QueuedRule;
    rule.left -= 1;
    if (rule.left <= 0) this.rules.splice(index, 1);
    return rule.fault;
  }
}

function matches(rule: FaultRule, t: RequestTarget): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== t.method) return false;
  if (rule.issue !== undefined && rule.issue.toUpperCase() !== t.issue) return false;
  if (rule.pathIncludes !== undefined && !t.path.includes(rule.pathIncludes)) return false;
  return true;
}
