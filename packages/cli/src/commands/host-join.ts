/**
 * `wharf host join`: starts this host's runner (`wharf-runner`), detached, and waits for the
 * host's live node, or for the runner to exit with its refusal. Secure by default: the host's
 * certificates are kept or enrolled first (host-tls.ts), the runner gets `WHARF_TLS_DIR` and
 * registers with the roles it was certified for. `--insecure` is the plain mode: the roles token
 * in the runner's environment (never on its command line, where `ps` would show it), checked by
 * the runner against ZooKeeper, or `--bootstrap` for the first host; it warns every time.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { WharfError, assertId, paths, type HostRole } from '@wharf/model';
import { findPackageDir } from '@wharf/platform';
import { readTlsCredentials } from '@wharf/pki';
import { ZK_TLS_ENV, ZkSession, type ZkTlsOptions } from '@wharf/zk';
import { type CliContext } from '../context';
import { defaultHostId, parseRoles } from './host';
import { DEFAULT_DIRECTOR_URL, type HostCertificates, ensureHostCertificates } from './host-tls';

/** How long `join` waits for the runner to register: token hashing plus a ZooKeeper round trip. */
export const JOIN_TIMEOUT_MS = 30_000;
/** How often `join` looks for the live node. */
const JOIN_POLL_MS = 100;
/** Exit code of `wharf-runner` when the token or the bootstrap is refused. */
const RUNNER_EXIT_TOKEN_REFUSED = 3;
/** Lines of the runner's log shown when it fails to start. */
const LOG_TAIL_LINES = 5;

/** `host join` options. */
export interface HostJoinOptions {
  zk: string;
  /** Roles token (else WHARF_ROLES_TOKEN); exactly one of a token and `bootstrap`. */
  token?: string;
  /** First host of a new installation: no token (there is no api yet). */
  bootstrap?: boolean;
  zone: string;
  roles: string;
  hostId?: string;
  address?: string;
  zkChroot?: string;
  home?: string;
  json?: boolean;
  /** Secure mode (the default): the director's enrolment endpoint. */
  director?: string;
  /** Secure mode: the director CA's SHA-256 fingerprint, pinned for enrolment. */
  caFingerprint?: string;
  /** Secure mode: where the certificates are (default `<home>/tls`, as `host enrol` writes them). */
  tlsDir?: string;
  /** Plain mode: no certificates; ZooKeeper traffic is neither encrypted nor authenticated. */
  insecure?: boolean;
}

/** What `$WHARF_HOME/run/runner-<host>.json` records. */
export interface RunnerRecord {
  host: string;
  pid: number;
  zk: string;
  chroot: string;
  log: string;
  started: string;
  /** Secure mode: the runner's WHARF_TLS_DIR; absent in plain mode (`--insecure`). */
  tls_dir?: string;
}

/** The `wharf-runner` entry point: `$WHARF_SERVICES_ROOT/runner`, else the installed package. */
function runnerEntry(ctx: CliContext): string {
  const root = ctx.env.WHARF_SERVICES_ROOT;
  const dir = root ? join(root, 'runner') : findPackageDir(dirname(ctx.cliPath), '@wharf/runner');
  if (dir === undefined)
    throw new WharfError('WHARF_NOT_FOUND', 'the @wharf/runner package is not installed');
  return join(dir, 'dist', 'main.js');
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-LOG_TAIL_LINES).join('\n');
  } catch {
    return '';
  }
}

/** What `--insecure` prints: plain mode is a choice, said out loud every time. */
export const INSECURE_WARNING =
  'warning: --insecure: this host talks to ZooKeeper in plaintext, unauthenticated and unencrypted; ' +
  'anyone on the network can read and rewrite the installation\n';

/** Runs `host join`: certificates first (secure mode), then the runner, then waits until it is live. */
export async function joinHost(options: HostJoinOptions, ctx: CliContext): Promise<number> {
  const entry = runnerEntry(ctx); // before enrolling: a host that cannot start a runner spends no token
  const prepared = await prepareJoin(options, ctx);
  const { host, home, log } = prepared;
  mkdirSync(dirname(log), { recursive: true });
  mkdirSync(join(home, 'run'), { recursive: true });
  const fd = openSync(log, 'a');
  const child = spawn(ctx.execPath, [entry], {
    env: runnerEnv(prepared, options, ctx),
    detached: true,
    shell: false,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exit: number | null | undefined;
  child.once('exit', (code) => (exit = code ?? -1));
  const record: RunnerRecord = {
    host,
    pid: child.pid!,
    zk: options.zk,
    chroot: prepared.chroot,
    log,
    started: new Date().toISOString(),
    ...(prepared.tlsDir === undefined ? {} : { tls_dir: prepared.tlsDir }),
  };
  writeFileSync(join(home, 'run', `runner-${host}.json`), `${JSON.stringify(record, null, 2)}\n`);
  const tls =
    prepared.tlsDir === undefined ? undefined : await readTlsCredentials(join(prepared.tlsDir, 'runner'));
  // A ZooKeeper the CLI cannot reach (wrong port, a TLS port dialled in plain mode) must not
  // leave a detached runner behind.
  const live = await waitForLive(
    { zk: options.zk, chroot: prepared.chroot, tls },
    host,
    () => exit !== undefined,
  ).catch((err: unknown) => {
    if (exit === undefined) child.kill('SIGTERM');
    throw err;
  });
  if (!live) {
    if (exit === undefined) child.kill('SIGTERM');
    const refused = options.bootstrap ? 'the bootstrap was refused' : 'the roles token was refused';
    const why = exit === RUNNER_EXIT_TOKEN_REFUSED ? refused : 'the runner did not start';
    ctx.stderr.write(`error: ${why}\n${tail(log)}\n`);
    return 1;
  }
  child.unref();
  printJoined(record, prepared, options.json === true, ctx);
  return 0;
}

/** A join checked and, in secure mode, certified: nothing on disk yet but the certificates. */
interface PreparedJoin {
  readonly host: string;
  readonly roles: readonly HostRole[];
  readonly token: string | undefined;
  readonly home: string;
  readonly chroot: string;
  readonly log: string;
  /** Undefined in plain mode. */
  readonly tlsDir: string | undefined;
  readonly certificates: HostCertificates | undefined;
}

/**
 * Validates the options and, unless `--insecure`, gets the certificates (kept or enrolled). A
 * refused enrolment throws the director's coded error before anything is written or started.
 */
async function prepareJoin(options: HostJoinOptions, ctx: CliContext): Promise<PreparedJoin> {
  const roles = parseRoles(options.roles);
  const token = options.bootstrap
    ? options.token
    : (options.token ?? (ctx.env.WHARF_ROLES_TOKEN || undefined));
  if ((token === undefined) === (options.bootstrap !== true)) {
    const message = 'give either --token (joining an installation) or --bootstrap (its first host)';
    throw new WharfError('WHARF_VALIDATION', message, { details: [{ path: '--token', message }] });
  }
  const host = assertId('host', options.hostId ?? defaultHostId());
  assertId('zone', options.zone);
  const home = resolve(ctx.cwd, options.home ?? ctx.env.WHARF_HOME ?? '.wharf');
  const chroot = options.zkChroot ?? ctx.env.WHARF_ZK_CHROOT ?? '/wharf';
  const log = join(home, 'logs', `runner-${host}.log`);
  const base = { host, roles, token, home, chroot, log };
  if (options.insecure === true) {
    if (options.caFingerprint !== undefined || options.director !== undefined) {
      const message = '--insecure takes no --director or --ca-fingerprint (it enrols nothing)';
      throw new WharfError('WHARF_VALIDATION', message, { details: [{ path: '--insecure', message }] });
    }
    ctx.stderr.write(INSECURE_WARNING);
    return { ...base, tlsDir: undefined, certificates: undefined };
  }
  const tlsDir = resolve(ctx.cwd, options.tlsDir ?? join(home, 'tls'));
  const certificates = await ensureHostCertificates({
    hostId: host,
    roles,
    dir: tlsDir,
    director: options.director ?? DEFAULT_DIRECTOR_URL,
    caFingerprint: options.caFingerprint,
    token,
    now: new Date(),
  });
  return { ...base, tlsDir, certificates };
}

/** The runner's environment: the token in it (never on its command line), TLS dir or none. */
function runnerEnv(prepared: PreparedJoin, options: HostJoinOptions, ctx: CliContext): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...ctx.env,
    WHARF_ZK: options.zk,
    WHARF_ZK_CHROOT: prepared.chroot,
    WHARF_HOME: prepared.home,
    WHARF_HOST_ID: prepared.host,
    WHARF_ZONE: options.zone,
    // Plain mode must not pick a TLS directory up from the caller's environment, nor the reverse.
    WHARF_TLS_DIR: prepared.tlsDir ?? '',
    ...rolesEnv(prepared),
    ...(options.address === undefined ? {} : { WHARF_HOST_ADDRESS: options.address }),
  };
  for (const variable of Object.values(ZK_TLS_ENV)) delete env[variable];
  return env;
}

/**
 * Secure mode: the certified roles, no token (the director checked it when it signed the
 * certificates; the runner's certificate may not read roles tokens). Plain mode: the token, which
 * the runner checks against ZooKeeper, or the bootstrap roles.
 */
function rolesEnv(prepared: PreparedJoin): NodeJS.ProcessEnv {
  const roles = prepared.roles.join(',');
  const env: NodeJS.ProcessEnv = { WHARF_ROLES_TOKEN: '', WHARF_ROLES: '', WHARF_BOOTSTRAP_ROLES: '' };
  if (prepared.tlsDir !== undefined) return { ...env, WHARF_ROLES: roles };
  if (prepared.token === undefined) return { ...env, WHARF_BOOTSTRAP_ROLES: roles };
  return { ...env, WHARF_ROLES: roles, WHARF_ROLES_TOKEN: prepared.token };
}

function printJoined(record: RunnerRecord, prepared: PreparedJoin, json: boolean, ctx: CliContext): void {
  const certs = prepared.certificates;
  if (json) {
    const tls =
      certs === undefined
        ? { secure: false }
        : {
            secure: true,
            reused: certs.reused,
            ca_fingerprint: certs.caFingerprint,
            due_for_renewal: certs.dueForRenewal,
          };
    ctx.stdout.write(`${JSON.stringify({ ...record, ...tls }, null, 2)}\n`);
    return;
  }
  if (certs !== undefined) {
    const how = certs.reused ? 'kept the certificates in' : 'enrolled; certificates in';
    ctx.stdout.write(`${how} ${certs.dir} (CA ${certs.caFingerprint})\n`);
    if (certs.dueForRenewal.length > 0) {
      ctx.stdout.write(
        `certificates due for renewal: ${certs.dueForRenewal.join(', ')} (wharf pki rotate)\n`,
      );
    }
  }
  const mode = certs === undefined ? 'plaintext (--insecure)' : 'mutual TLS';
  ctx.stdout.write(
    `host ${record.host} joined with roles ${prepared.roles.join(',') || '(none)'} over ${mode}; ` +
      `runner pid ${record.pid}, log ${record.log}\n`,
  );
}

async function waitForLive(
  zk: { zk: string; chroot: string; tls: ZkTlsOptions | undefined },
  host: string,
  gaveUp: () => boolean,
): Promise<boolean> {
  const session = new ZkSession({
    connectString: zk.zk,
    chroot: zk.chroot,
    ...(zk.tls === undefined ? {} : { tls: zk.tls, acl: null }),
  });
  try {
    await session.start();
    const deadline = Date.now() + JOIN_TIMEOUT_MS;
    while (Date.now() < deadline && !gaveUp()) {
      if ((await session.exists(paths.hostLive(host))) !== null) return true;
      await delay(JOIN_POLL_MS);
    }
    return false;
  } finally {
    await session.close();
  }
}
