import { JlogError } from '../errors.js';

export async function run(_args: string[], _opts: Record<string, unknown>): Promise<number> {
  throw new JlogError('E_INTERNAL', 'jlog demo is not built yet');
}
