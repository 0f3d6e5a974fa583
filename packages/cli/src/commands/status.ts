/**
 * `wharf status`: every process platform.json lists (running? healthy?) and the API's
 * `GET /api/v1/platform`. Exit 1 when anything is down, unhealthy or unreachable.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readTlsCredentials } from '@wharf/pki';
import { type ZkTlsOptions } from '@wharf/zk';
import { type ApiClient } from '../api/api-client';
import { LOOPBACK } from '@wharf/platform';
import { DEFAULT_HOME } from '../config/up-config';
import { type CliContext } from '../context';
import { formatError, formatTable } from '../output/format';
import { type ProbeResult } from '@wharf/supervise';
import {
  type PlatformRecord,
  type ProcessRecord,
  isRecordedRunning,
  platformFilePath,
  readPlatformFile,
} from '@wharf/platform';
import { type ExpectedRegistrations, missingRegistrations } from '@wharf/platform';
import { isSupervisorRunning } from './supervisor-protocol';
import { createCaFetch, hostTlsDir, probeHealth, probeZk } from '@wharf/platform';
import { brandingName } from './branding';

/** `wharf status` options. */
export interface StatusOptions {
  home?: string;
  json?: boolean;
}

/** One process's observed status. */
export interface ProcessStatus {
  readonly id: string;
  readonly service: string;
  readonly pid: number;
  readonly running: boolean;
  readonly health?: ProbeResult;
  readonly record?: ProcessRecord;
}

/** Reads platform.json (for the API URL, too); undefined when there is none. */
export async function loadPlatform(
  options: StatusOptions,
  ctx: CliContext,
): Promise<PlatformRecord | undefined> {
  return readPlatformFile(resolve(ctx.cwd, options.home ?? ctx.env.WHARF_HOME ?? DEFAULT_HOME));
}

/** Runs `wharf status` with `client` pointed at the platform's API. */
export async function runStatus(
  options: StatusOptions,
  record: PlatformRecord | undefined,
  client: ApiClient,
  ctx: CliContext,
): Promise<number> {
  const home = resolve(ctx.cwd, options.home ?? ctx.env.WHARF_HOME ?? DEFAULT_HOME);
  let api: { ok: true; body: unknown } | { ok: false; error: unknown };
  try {
    api = { ok: true, body: (await client.request('GET', '/platform')).body };
  } catch (error) {
    api = { ok: false, error };
  }
  const processes = record === undefined ? [] : await observe(record, api.ok ? api.body : undefined);
  const missing =
    record !== undefined && api.ok ? (missingRegistrations(api.body, expectedFrom(record)) ?? []) : [];
  const healthy =
    record !== undefined &&
    api.ok &&
    missing.length === 0 &&
    processes.every((p) => p.running && (p.health?.ok ?? true));
  if (options.json) {
    const out = {
      healthy,
      platform_file: platformFilePath(home),
      processes: processes.map(({ record: r, ...p }) => ({ ...r, ...p })),
      api: api.ok
        ? { ok: true, url: client.baseUrl, platform: api.body, missing }
        : { ok: false, url: client.baseUrl, error: formatError(api.error) },
    };
    ctx.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return healthy ? 0 : 1;
  }
  const lines: string[] = [];
  if (record === undefined) {
    lines.push(`no platform recorded in ${platformFilePath(home)} (start one with: npx wharf up)`);
  } else {
    lines.push(...processTable(processes), '');
  }
  if (api.ok) {
    lines.push(`API ${client.baseUrl}: ok`, ...summarise(api.body).map((l) => `  ${l}`));
    lines.push(...missing.map((m) => `  NOT REGISTERED: ${m}`));
  } else {
    lines.push(`API ${client.baseUrl}: unreachable`, ...formatError(api.error).map((l) => `  ${l}`));
  }
  // The platform's own name (white-label branding), Wharf's when it has none or cannot say.
  const name = (api.ok ? await brandingName(client) : undefined) ?? 'Wharf';
  lines.push('', healthy ? `${name} is healthy.` : `${name} is NOT healthy.`);
  ctx.stdout.write(`${lines.join('\n')}\n`);
  return healthy ? 0 : 1;
}

/** What platform.json says should be registered. */
function expectedFrom(record: PlatformRecord): ExpectedRegistrations {
  const count = (service: string) => record.services.filter((s) => s.service === service).length;
  return {
    allocators: count('allocator'),
    constructors: count('constructor'),
    proxies: count('proxy'),
    directors: count('director'),
  };
}

/**
 * Where `service` answers its health check: the recorded URL (runners), else by kind — the api's
 * `/api/v1/health` and the proxy's `/_health` on their client ports, the constructor's and the
 * allocator's and the director's `/health` on the observability port they registered
 * (`platform`: `GET /platform`). `apiScheme`: `https` when the platform's api serves HTTPS.
 */
export function healthUrlOf(
  service: ProcessRecord,
  platform: unknown,
  apiScheme = 'http',
): string | undefined {
  if (service.health_url !== undefined) return service.health_url;
  const address = service.address ?? LOOPBACK;
  if (service.service === 'api' && service.port !== undefined)
    return `${apiScheme}://${address}:${service.port}/api/v1/health`;
  if (service.service === 'proxy' && service.port !== undefined)
    return `http://${address}:${service.port}/_health`;
  if (service.service !== 'constructor' && service.service !== 'allocator' && service.service !== 'director')
    return undefined;
  const port = registeredPort(platform, service.service, service.id);
  // Their observability servers listen on 127.0.0.1 whatever address they register.
  return port === undefined ? undefined : `http://${LOOPBACK}:${port}/health`;
}

/** The port `GET /platform` lists for service `id` of `kind`, if any. */
function registeredPort(platform: unknown, kind: string, id: string): number | undefined {
  const services = (platform as { services?: Record<string, unknown> } | undefined)?.services;
  const regs = services?.[kind];
  if (!Array.isArray(regs)) return undefined;
  const reg = (regs as unknown[]).find((r) => (r as { id?: unknown } | null)?.id === id) as
    { port?: unknown } | undefined;
  return typeof reg?.port === 'number' ? reg.port : undefined;
}

async function probe(
  service: ProcessRecord,
  platform: unknown,
  zkTls: ZkTlsOptions | undefined,
  api: { scheme: string; fetch: typeof fetch },
): Promise<ProbeResult | undefined> {
  const url = healthUrlOf(service, platform, api.scheme);
  if (url !== undefined) return probeHealth(url, api.fetch);
  if (service.service === 'zookeeper' && service.port !== undefined)
    return probeZk(`${LOOPBACK}:${service.port}`, undefined, zkTls);
  return undefined;
}

/**
 * A TLS-only ZooKeeper (`wharf up --secure`) answers `ruok` only to a client certificate of the
 * installation: the first host's runner certificate, as the supervisor itself uses.
 */
async function zkProbeTls(record: PlatformRecord): Promise<ZkTlsOptions | undefined> {
  if (record.zookeeper.tls !== true) return undefined;
  const host = record.services.find((s) => s.service === 'runner')?.host;
  if (host === undefined) return undefined;
  return readTlsCredentials(join(hostTlsDir(record.home, host), 'runner')).catch(() => undefined);
}

/** `wharf up --secure`: the api serves HTTPS with a certificate from the recorded CA. */
async function apiProbe(record: PlatformRecord): Promise<{ scheme: string; fetch: typeof fetch }> {
  if (!record.api_url.startsWith('https:')) return { scheme: 'http', fetch };
  const pem =
    record.api_ca === undefined ? undefined : await readFile(record.api_ca, 'utf8').catch(() => undefined);
  const ca = pem === undefined ? fetch : createCaFetch({ ca: pem, caSource: record.api_ca! });
  return { scheme: 'https', fetch: ca };
}

async function observe(record: PlatformRecord, platform: unknown): Promise<ProcessStatus[]> {
  const supervisor: ProcessStatus = {
    id: 'supervisor',
    service: 'wharf-up',
    pid: record.supervisor_pid,
    running: isSupervisorRunning(record),
  };
  const zkTls = await zkProbeTls(record);
  const api = await apiProbe(record);
  const services = await Promise.all(
    record.services.map(async (service): Promise<ProcessStatus> => {
      const running = isRecordedRunning(service);
      const health = running ? await probe(service, platform, zkTls, api) : undefined;
      return {
        id: service.id,
        service: service.service,
        pid: service.pid,
        running,
        record: service,
        ...(health ? { health } : {}),
      };
    }),
  );
  return [supervisor, ...services];
}

function processTable(processes: readonly ProcessStatus[]): string[] {
  const rows = processes.map((p) => [
    p.id,
    p.service,
    String(p.pid),
    String(p.record?.port ?? p.record?.metrics_port ?? '-'),
    p.running ? 'running' : 'DOWN',
    p.health === undefined ? '-' : p.health.ok ? 'ok' : `FAIL (${p.health.detail})`,
    String(p.record?.restarts ?? 0),
    [p.record?.zone, p.record?.port_range].filter((v) => v !== undefined).join(' ') || '-',
  ]);
  return formatTable(['ID', 'SERVICE', 'PID', 'PORT', 'PROCESS', 'HEALTH', 'RESTARTS', 'ZONE/PORTS'], rows);
}

/**
 * Lines for the directors and the ZooKeeper quorum. Every director checks the whole ensemble, so
 * the servers are listed once, from the most recent check; a director whose verdict differs from
 * that one is named (it may see the ensemble from the wrong side of a partition).
 */
export function quorumLines(directors: readonly unknown[]): string[] {
  if (directors.length === 0) return ['quorum: no director running (nobody checks the ZooKeeper quorum)'];
  const reports = directors.map((raw) => raw as DirectorReport);
  const lines = reports.map(
    (d) =>
      `director ${String(d.id)}: enrolment https://${String(d.enrol_address)}, CA ${String(d.ca_fingerprint)}`,
  );
  const latest = reports.reduce((a, b) => (checkedAt(b) > checkedAt(a) ? b : a));
  const verdict = (d: DirectorReport): string => (d.quorum?.healthy === true ? 'healthy' : 'AT RISK');
  const by = reports.length > 1 ? ` by ${String(latest.id)}` : '';
  lines.push(`quorum: ${verdict(latest)}, checked ${String(latest.quorum?.checked)}${by}`);
  const servers = Array.isArray(latest.quorum?.servers) ? latest.quorum.servers : [];
  for (const raw of servers) {
    const s = raw as { address?: unknown; mode?: unknown; zxid?: unknown; zxid_lag?: unknown };
    const lag = typeof s.zxid_lag === 'number' ? `, ${s.zxid_lag} behind` : '';
    const zxid = typeof s.zxid === 'string' ? ` zxid ${s.zxid}` : '';
    lines.push(`  ${String(s.address)}: ${String(s.mode)}${zxid}${lag}`);
  }
  for (const d of reports) {
    if (d !== latest && verdict(d) !== verdict(latest)) {
      lines.push(`  ${String(d.id)} says ${verdict(d)} (checked ${String(d.quorum?.checked)})`);
    }
  }
  return lines;
}

/** A director's entry in `GET /api/v1/platform`, as far as the status lines read it. */
interface DirectorReport {
  id?: unknown;
  enrol_address?: unknown;
  ca_fingerprint?: unknown;
  quorum?: { healthy?: unknown; checked?: unknown; servers?: unknown };
}

/** When a director last checked the quorum (epoch ms; 0 when it never did). */
function checkedAt(d: DirectorReport): number {
  const t = typeof d.quorum?.checked === 'string' ? Date.parse(d.quorum.checked) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** Lines summarising `GET /api/v1/platform` (ZooKeeper, leader, allocators, proxies, services, deployments). */
export function summarise(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return body === undefined ? [] : [String(body)];
  const b = body as Record<string, unknown>;
  const field = (section: string, key: string): string => {
    const value = (b[section] as Record<string, unknown> | undefined)?.[key];
    return value === undefined || value === null ? '-' : String(value);
  };
  const lines: string[] = [];
  if (b.zookeeper) {
    lines.push(
      `zookeeper: ${field('zookeeper', 'state')} (${field('zookeeper', 'connect_string')}, chroot ${field('zookeeper', 'chroot')})`,
    );
  }
  if (b.constructors)
    lines.push(
      `constructors: ${field('constructors', 'alive')} alive, leader ${field('constructors', 'leader')}`,
    );
  if (b.allocators) {
    lines.push(
      `allocators: ${field('allocators', 'connected')}/${field('allocators', 'total')} connected, ${field('allocators', 'maintenance')} in maintenance`,
    );
  }
  if (b.proxies) lines.push(`proxies: ${field('proxies', 'total')}`);
  if (Array.isArray(b.directors)) lines.push(...quorumLines(b.directors));
  if (typeof b.services === 'object' && b.services !== null) {
    const alive = Object.entries(b.services).map(
      ([name, regs]) => `${name} ${Array.isArray(regs) ? regs.length : '?'}`,
    );
    lines.push(`services alive: ${alive.join(', ') || 'none'}`);
  }
  if (b.deployments) lines.push(`deployments: ${field('deployments', 'total')}`);
  return lines.length > 0 ? lines : [JSON.stringify(body)];
}
