/**
 * Whether the services found each other: the API's `GET /api/v1/platform` counts what registered
 * in ZooKeeper (connected allocators, live constructors and a leader, proxies, directors that
 * reported the quorum). A process can
 * answer `/health` before it registered; a platform is ready when ZooKeeper shows all of them.
 */

/** What should have registered. */
export interface ExpectedRegistrations {
  readonly allocators: number;
  readonly constructors: number;
  readonly proxies: number;
  /** Directors whose quorum report (`/director/<id>`) is listed; absent: not checked. */
  readonly directors?: number;
}

/**
 * What is missing from a platform answer (`[]`: everything registered), or undefined when the
 * answer does not have the expected shape and nothing can be concluded.
 */
export function missingRegistrations(body: unknown, expected: ExpectedRegistrations): string[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const count = (section: string, key: string): number | undefined => {
    const value = (b[section] as Record<string, unknown> | undefined)?.[key];
    return typeof value === 'number' ? value : undefined;
  };
  const connected = count('allocators', 'connected');
  const alive = count('constructors', 'alive');
  const proxies = count('proxies', 'total');
  if (connected === undefined || alive === undefined || proxies === undefined) return undefined;
  const missing: string[] = [];
  if (connected < expected.allocators)
    missing.push(`allocators: ${connected}/${expected.allocators} connected`);
  if (alive < expected.constructors) missing.push(`constructors: ${alive}/${expected.constructors} alive`);
  const leader = (b.constructors as Record<string, unknown>).leader;
  if (expected.constructors > 0 && (leader === null || leader === undefined))
    missing.push('constructors: no leader');
  if (proxies < expected.proxies) missing.push(`proxies: ${proxies}/${expected.proxies} registered`);
  const directors = Array.isArray(b.directors) ? b.directors.length : 0;
  if (directors < (expected.directors ?? 0))
    missing.push(`directors: ${directors}/${expected.directors} reporting`);
  return missing;
}
