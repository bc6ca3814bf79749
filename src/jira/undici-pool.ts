// undici's Pool and its request(), without the rest of undici. The package's index loads every
// dispatcher, fetch, WebSocket, the caches and the mocks: half a megabyte that a posting run compiled
// on its way to its first request and never used (about 20 ms; issue 13, docs/commands.md). The index
// also wires request() onto every dispatcher's prototype; here it is called on the pool directly.
// The same code as `import { Pool } from 'undici'`, typed by undici's own declarations.
import type { Dispatcher, Pool as PublicPool } from 'undici';
import PoolImpl from 'undici/lib/dispatcher/pool.js';
import requestImpl from 'undici/lib/api/api-request.js';

export const Pool: typeof PublicPool = PoolImpl;
export type Pool = PublicPool;

export function poolRequest(
  pool: Dispatcher,
  options: Dispatcher.RequestOptions,
): Promise<Dispatcher.ResponseData> {
  return requestImpl.call(pool, options);
}
