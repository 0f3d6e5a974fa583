/**
 * When is a starting platform ready: every runner and client-facing service answers its health
 * endpoint, then the API sees every service registered in ZooKeeper. Failures name each laggard with its log tail.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WharfError, isWharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import {
  type Clock,
  HEALTH_POLL_MS,
  PROBE_TIMEOUT_MS,
  type ProbeResult,
  describeFetchError,
} from '@wharf/supervise';
import { type ExpectedRegistrations, missingRegistrations } from './registration';

/** Lines of a service's log quoted when it fails to become healthy. */
export const LOG_TAIL_LINES = 15;

/** What the readiness loops need from the supervisor. */
export interface ReadinessDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Throws when the start was interrupted. */
  readonly checkAborted: () => void;
  /** The supervised process of a service id, for failure messages. */
  readonly describe: (id: string) => { readonly state: string; readonly restarts: number } | undefined;
  /**
   * The `fetch` of every probe and API call: in secure mode one trusting the installation's CA
   * (ca-fetch.ts), for the api's `https://` URLs; default the global `fetch`.
   */
  readonly fetch?: typeof fetch;
}

/** Something with a health endpoint: a runner, or a service a runner started. */
export interface HealthTarget {
  readonly id: string;
  readonly healthUrl: string;
  readonly logFile: string;
}

/** Resolves once every launch answers 200 on its health URL; throws `WHARF_TIMEOUT` at `deadline`. */
export async function waitHealthy(
  launches: readonly HealthTarget[],
  deadline: number,
  timeoutMs: number,
  deps: ReadinessDeps,
): Promise<void> {
  const pending = new Map(launches.map((launch) => [launch.id, launch]));
  const lastDetail = new Map<string, string>();
  for (;;) {
    await Promise.all(
      [...pending.values()].map(async (launch) => {
        const result = await probeHealth(launch.healthUrl, deps.fetch ?? fetch);
        if (result.ok) {
          pending.delete(launch.id);
          deps.logger.info('service healthy', { id: launch.id });
        } else {
          lastDetail.set(launch.id, result.detail);
        }
      }),
    );
    deps.checkAborted();
    if (pending.size === 0) return;
    if (deps.clock.now() >= deadline)
      throw await unhealthyError([...pending.values()], lastDetail, timeoutMs, deps);
    await deps.clock.sleep(HEALTH_POLL_MS);
  }
}

/** Where to ask the API what registered, and what should have. */
export interface RegistrationCheck {
  /** `GET` URL of `/api/v1/platform`. */
  readonly url: string;
  readonly apiKeyFile: string;
  readonly expected: ExpectedRegistrations;
}

/**
 * Waits until the API sees every allocator, constructor (and a leader) and proxy registered in
 * ZooKeeper, so a plan submitted right after `up` returns can be placed. Skipped, with a warning,
 * when the API refuses the key on disk or answers in an unknown shape.
 */
export async function waitRegistered(
  check: RegistrationCheck,
  deadline: number,
  deps: ReadinessDeps,
): Promise<void> {
  let missing: string[] = [];
  for (;;) {
    const answer = await getPlatform(check.url, await readApiKey(check.apiKeyFile), deps.fetch ?? fetch);
    deps.checkAborted();
    if (answer?.status === 401 || answer?.status === 403) {
      deps.logger.warn('cannot check service registrations: the API refused the key', {
        file: check.apiKeyFile,
      });
      return;
    }
    if (answer?.status === 200) {
      const found = missingRegistrations(answer.body, check.expected);
      if (found === undefined) {
        deps.logger.warn('cannot check service registrations: unexpected /platform answer');
        return;
      }
      if (found.length === 0) {
        deps.logger.info('every service registered in zookeeper');
        return;
      }
      missing = found;
    }
    if (deps.clock.now() >= deadline) {
      const what = missing.join('; ') || 'the API did not answer';
      throw new WharfError(
        'WHARF_TIMEOUT',
        `services are healthy but not all registered in ZooKeeper: ${what}`,
        {
          details: missing.map((message) => ({ path: 'GET /api/v1/platform', message })),
        },
      );
    }
    await deps.clock.sleep(HEALTH_POLL_MS);
  }
}

/** How often `up` looks for the api key file an api wrote. */
const KEY_POLL_MS = 250;

/**
 * The api that won the key-creation lock saved the key under its own host's home (`files[1..]`);
 * copy it to `files[0]` (`<home>/credentials/api-key`, 0600), the one place the CLI and the docs
 * read it from.
 */
export async function adoptApiKey(
  files: readonly string[],
  deadline: number,
  deps: ReadinessDeps,
): Promise<void> {
  const [target, ...hostFiles] = files;
  if (target === undefined || existsSync(target)) return;
  for (;;) {
    const found = hostFiles.find((file) => existsSync(file));
    if (found !== undefined) {
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await copyFile(found, target);
      return;
    }
    deps.checkAborted();
    // An older install whose key file is gone: the api keeps the key in ZooKeeper and never
    // prints it again, so there is nothing to copy; waitRegistered then warns.
    if (deps.clock.now() >= deadline) return;
    await deps.clock.sleep(KEY_POLL_MS);
  }
}

/** The API key the api saved, or undefined. */
export async function readApiKey(file: string): Promise<string | undefined> {
  try {
    const key = (await readFile(file, 'utf8')).trim();
    return key === '' ? undefined : key;
  } catch {
    return undefined;
  }
}

/** The last `lines` lines of a log file ([] when unreadable). */
export async function logTail(file: string, lines: number): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .filter((line) => line !== '');
}

/** GETs `url` with `fetchFn`; healthy on 200 (`@wharf/supervise`'s `probeHttp`, with a chosen fetch). */
export async function probeHealth(url: string, fetchFn: typeof fetch): Promise<ProbeResult> {
  try {
    const res = await fetchFn(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await res.body?.cancel();
    return { ok: res.status === 200, detail: String(res.status) };
  } catch (err) {
    // A certificate problem (WHARF_PKI_UNTRUSTED from ca-fetch.ts) says which CA; keep its message.
    const untrusted = isWharfError(err, 'WHARF_PKI_UNTRUSTED');
    return { ok: false, detail: untrusted ? err.message : describeFetchError(err) };
  }
}

async function getPlatform(
  url: string,
  key: string | undefined,
  fetchFn: typeof fetch,
): Promise<{ status: number; body: unknown } | undefined> {
  try {
    const res = await fetchFn(url, {
      headers: key === undefined ? {} : { authorization: `ApiKey ${key}` },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as unknown };
  } catch {
    return undefined;
  }
}

async function unhealthyError(
  failed: HealthTarget[],
  detail: Map<string, string>,
  timeoutMs: number,
  deps: ReadinessDeps,
): Promise<WharfError> {
  const details = await Promise.all(
    failed.map(async (launch) => {
      const proc = deps.describe(launch.id);
      const observed = detail.get(launch.id) ?? 'no answer';
      const processInfo = `process ${proc?.state ?? 'unknown'}, ${proc?.restarts ?? 0} restarts; log ${launch.logFile}`;
      return {
        path: launch.id,
        message: `GET ${launch.healthUrl}: ${observed} (${processInfo})`,
        log: await logTail(launch.logFile, LOG_TAIL_LINES),
      };
    }),
  );
  const ids = failed.map((l) => l.id).join(', ');
  return new WharfError('WHARF_TIMEOUT', `not healthy after ${Math.round(timeoutMs / 1000)} s: ${ids}`, {
    details,
  });
}
