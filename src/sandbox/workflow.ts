// The sandbox's default workflow: To Do → In Progress → Done, with Jira's classic transition names so
// that Atlassian's prefix matching means something (`#start`, `#resolve`, `#close`) and an ambiguous
// prefix exists (`#c` from To Do: `Cancel Issue` and `Close Issue`). `Close Issue` is global.

export interface SandboxStatus {
  id: string;
  name: string;
  category: { id: number; key: 'new' | 'indeterminate' | 'done'; name: string };
}

export interface SandboxTransition {
  id: string;
  name: string;
  /** Status ids it is offered from; undefined = from anywhere (a global transition). */
  from?: string[];
  to: string;
}

export const STATUSES: readonly SandboxStatus[] = [
  { id: '10000', name: 'To Do', category: { id: 2, key: 'new', name: 'To Do' } },
  { id: '3', name: 'In Progress', category: { id: 4, key: 'indeterminate', name: 'In Progress' } },
  { id: '10001', name: 'Done', category: { id: 3, key: 'done', name: 'Done' } },
];

export const INITIAL_STATUS = '10000';

export const TRANSITIONS: readonly SandboxTransition[] = [
  { id: '11', name: 'Start Progress', from: ['10000'], to: '3' },
  { id: '21', name: 'Stop Progress', from: ['3'], to: '10000' },
  { id: '31', name: 'Resolve Issue', from: ['10000', '3'], to: '10001' },
  { id: '41', name: 'Reopen Issue', from: ['10001'], to: '10000' },
  { id: '51', name: 'Cancel Issue', from: ['10000'], to: '10001' },
  { id: '61', name: 'Close Issue', to: '10001' },
];

export function statusById(id: string | undefined): SandboxStatus {
  return STATUSES.find((s) => s.id === (id ?? INITIAL_STATUS)) ?? (STATUSES[0] as SandboxStatus);
}

export function statusByName(name: string): SandboxStatus | undefined {
  return STATUSES.find((s) => s.name.toLowerCase() === name.toLowerCase());
}

/** The transitions Jira offers from this status, in workflow order. */
export function transitionsFrom(statusId: string | undefined): SandboxTransition[] {
  const at = statusById(statusId).id;
  return TRANSITIONS.filter((t) => t.from === undefined || t.from.includes(at));
}
