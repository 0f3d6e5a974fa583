/**
 * **Pure**: the HAProxy configuration of the HAProxy data plane (`WHARF_PROXY_DATAPLANE=haproxy`).
 * HAProxy cannot add a backend at runtime, so the file declares a fixed pool of empty backend
 * *slots*; the control plane (`data-plane.ts`) gives each routed deployment a slot, fills it with
 * dynamic servers (`add server`) and points `<id>.<domain>` at it in a map file (`add map`), all
 * over the runtime API: a route change never reloads HAProxy. Requests whose key is not in the
 * map (unknown, shut down, restoring or instance-less deployments, `/_health`, `/_metrics`) go to
 * the Node proxy behind it, which answers them exactly as it does without HAProxy.
 */
import { WharfError } from '@wharf/model';

/** Name of the backend that forwards everything the map does not route to the Node proxy. */
export const CONTROL_BACKEND = 'wharf_control';
/** Slot backends are `d0` … `d<slots-1>`. */
export const SLOT_PREFIX = 'd';
/** A slot's servers of the first preference tier (own zone) are `s1` … `s<n>`, of the fallback tier `b1` … */
export const PRIMARY_PREFIX = 's';
export const BACKUP_PREFIX = 'b';
/**
 * Servers per tier in each slot: the instances of one deployment HAProxy balances over (more are
 * left out and logged). Deployments have a few instances per zone; each pre-declared server costs
 * HAProxy ~10 KB.
 */
export const DEFAULT_SERVERS_PER_TIER = 8;
/** Upper bound of {@link DEFAULT_SERVERS_PER_TIER}. */
export const MAX_SERVERS_PER_TIER = 64;
/**
 * Default slot count: deployments HAProxy routes itself. Each empty backend costs HAProxy a few
 * KB; past the pool the extra deployments are still served (by the Node proxy behind it).
 */
export const DEFAULT_SLOTS = 256;
/** Upper bound of the slot pool (config size and start time grow with it). */
export const MAX_SLOTS = 10_000;
/**
 * Connect attempts after the first on another server (`retries` + `option redispatch 1`): the
 * Node forwarder's `MAX_ATTEMPTS` of 3.
 */
export const RETRIES = 2;
/** Connect timeout: the Node forwarder's upstream connect timeout (`upstream-agent.ts`). */
export const CONNECT_TIMEOUT_MS = 2_000;
/** Client and server inactivity: the Node forwarder's upstream inactivity limit order (60 s). */
export const IDLE_TIMEOUT_MS = 60_000;
/** Client keep-alive idle: above the 60 s load balancers use (as `CLIENT_KEEP_ALIVE_TIMEOUT_MS`). */
export const CLIENT_KEEP_ALIVE_MS = 65_000;
/** Active check interval of a down server (the Node health checker's 1 s). */
export const CHECK_INTERVAL_MS = 1_000;
/**
 * Ejection as `instance-health.ts` does it: one failed connect marks the server down (`observe
 * layer4`), a passed TCP check brings it back; checks run only while a server is down or every
 * {@link CHECK_INTERVAL_MS} otherwise.
 */
const SERVER_CHECKS = `check inter ${CHECK_INTERVAL_MS}ms fall 1 rise 1 observe layer4 error-limit 1 on-error mark-down`;
/** Longest a soft stop waits for in-flight requests (the Node proxy's `DEFAULT_DRAIN_TIMEOUT_MS`). */
export const HARD_STOP_AFTER_MS = 10_000;
/** Concurrent client connections HAProxy accepts (each costs ~2 buffers of 16 KB). */
export const MAX_CONNECTIONS = 4_096;

/** What {@link renderHaproxyConfig} needs. */
export interface HaproxyConfigInput {
  /** Public listen address and port (the proxy's `WHARF_PROXY_HOST`/`_PORT`). */
  readonly host: string;
  readonly port: number;
  /** The Node proxy behind HAProxy (loopback, own port). */
  readonly controlHost: string;
  readonly controlPort: number;
  /** Deployments are `<id>.<domain>`; `X-Wharf-Deployment: <id>` is looked up as `<id>.<domain>`. */
  readonly domain: string;
  /** Absolute paths of the admin socket and the route map file. */
  readonly socketPath: string;
  /** `<id>.<domain>` → slot. */
  readonly mapPath: string;
  /** `<slot>/<server>` → instance id ({@link renderServersMap}). */
  readonly serversMapPath: string;
  /** Servers per tier in each slot (see {@link DEFAULT_SERVERS_PER_TIER}). */
  readonly serversPerTier: number;
  /** Backend slots (see {@link DEFAULT_SLOTS}). */
  readonly slots: number;
  /** HAProxy threads (1: the per-core comparison; more on a dedicated proxy host). */
  readonly threads: number;
  /** TCP checks and ejection on slot servers (default true; off only to measure what they cost). */
  readonly serverChecks?: boolean | undefined;
}

/** The name of slot `index`. */
export function slotName(index: number): string {
  return `${SLOT_PREFIX}${index}`;
}

/** Renders the whole configuration file; throws `WHARF_VALIDATION` for input HAProxy would misread. */
export function renderHaproxyConfig(input: HaproxyConfigInput): string {
  assertInput(input);
  const { host, port, controlHost, controlPort, domain, socketPath, mapPath } = input;
  const lines = [
    'global',
    `  nbthread ${input.threads}`,
    `  maxconn ${MAX_CONNECTIONS}`,
    `  stats socket ${socketPath} mode 600 level admin`,
    // A soft stop (SIGUSR1, the drain) lets in-flight requests finish, within the Node drain's 10 s.
    `  hard-stop-after ${HARD_STOP_AFTER_MS}ms`,
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    `  timeout connect ${CONNECT_TIMEOUT_MS}ms`,
    `  timeout client ${IDLE_TIMEOUT_MS}ms`,
    `  timeout server ${IDLE_TIMEOUT_MS}ms`,
    `  timeout http-keep-alive ${CLIENT_KEEP_ALIVE_MS}ms`,
    '  timeout http-request 10s',
    'frontend wharf',
    `  bind ${host}:${port}`,
    '  option forwardfor',
    // The routing key as routing-key.ts reads it: X-Wharf-Deployment wins over Host.
    '  http-request set-var(txn.key) req.hdr(host),field(1,:),lower',
    `  http-request set-var-fmt(txn.key) "%[req.hdr(x-wharf-deployment),lower].${domain}" if { req.hdr(x-wharf-deployment) -m found }`,
    `  use_backend %[var(txn.key),map(${mapPath},${CONTROL_BACKEND})]`,
    `backend ${CONTROL_BACKEND}`,
    '  http-reuse always',
    `  server node ${controlHost}:${controlPort}`,
  ];
  for (let i = 0; i < input.slots; i += 1) lines.push(...slotLines(slotName(i), input));
  return `${lines.join('\n')}\n`;
}

/** The servers map as HAProxy first reads it: every slot server, free (`-`). */
export function renderServersMap(slots: number, serversPerTier: number): string {
  const lines: string[] = [];
  for (let i = 0; i < slots; i += 1) {
    for (const prefix of [PRIMARY_PREFIX, BACKUP_PREFIX]) {
      for (let k = 1; k <= serversPerTier; k += 1) lines.push(`${slotName(i)}/${prefix}${k} -`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * One slot: its servers pre-declared and in maintenance (`server-template`: HAProxy 2.6 keeps idle
 * connections to these, not to servers made with `add server`), balancing, retries on another
 * server, the handling headers.
 */
function slotLines(name: string, input: HaproxyConfigInput): string[] {
  const n = input.serversPerTier;
  const checks = input.serverChecks === false ? '' : ` ${SERVER_CHECKS}`;
  return [
    `backend ${name}`,
    '  balance roundrobin',
    `  retries ${RETRIES}`,
    '  option redispatch 1',
    '  http-reuse always',
    `  server-template ${PRIMARY_PREFIX} 1-${n} 127.0.0.1:1 disabled${checks}`,
    `  server-template ${BACKUP_PREFIX} 1-${n} 127.0.0.1:1 disabled backup${checks}`,
    '  http-response set-var-fmt(txn.srv) "%[be_name]/%[srv_name]"',
    `  http-response set-header X-Wharf-Handling-Instance %[var(txn.srv),map(${input.serversMapPath})]`,
    // Only `<id>.<domain>` keys reach a slot, and ids have no dots.
    '  http-response set-header X-Wharf-Handling-Cluster %[var(txn.key),field(1,.)]',
  ];
}

const HOST_PATTERN = /^[0-9a-z.:-]+$/i;
const DOMAIN_PATTERN = /^[a-z0-9.-]+$/;
const PATH_PATTERN = /^\/[A-Za-z0-9._/-]+$/;

function assertInput(input: HaproxyConfigInput): void {
  const problems: { path: string; message: string }[] = [];
  const check = (ok: boolean, path: string, message: string): void => {
    if (!ok) problems.push({ path, message });
  };
  check(HOST_PATTERN.test(input.host), 'host', 'must be an address');
  check(HOST_PATTERN.test(input.controlHost), 'controlHost', 'must be an address');
  check(Number.isInteger(input.port) && input.port > 0 && input.port < 65536, 'port', 'must be 1-65535');
  check(Number.isInteger(input.controlPort) && input.controlPort > 0, 'controlPort', 'must be a port');
  check(DOMAIN_PATTERN.test(input.domain), 'domain', 'must be a host name');
  check(PATH_PATTERN.test(input.socketPath), 'socketPath', 'must be an absolute plain path');
  check(PATH_PATTERN.test(input.mapPath), 'mapPath', 'must be an absolute plain path');
  check(PATH_PATTERN.test(input.serversMapPath), 'serversMapPath', 'must be an absolute plain path');
  const perTier = input.serversPerTier;
  check(
    Number.isInteger(perTier) && perTier >= 1 && perTier <= MAX_SERVERS_PER_TIER,
    'serversPerTier',
    `must be 1-${MAX_SERVERS_PER_TIER}`,
  );
  check(
    Number.isInteger(input.slots) && input.slots >= 1 && input.slots <= MAX_SLOTS,
    'slots',
    `must be 1-${MAX_SLOTS}`,
  );
  check(
    Number.isInteger(input.threads) && input.threads >= 1 && input.threads <= 64,
    'threads',
    'must be 1-64',
  );
  if (problems.length > 0) {
    throw new WharfError('WHARF_VALIDATION', 'invalid HAProxy data plane settings', { details: problems });
  }
}
