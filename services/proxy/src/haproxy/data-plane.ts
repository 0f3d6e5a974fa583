/**
 * The HAProxy data plane (`WHARF_PROXY_DATAPLANE=haproxy`): an HAProxy process this object owns,
 * programmed from the proxy's cached routing table through the runtime API (`sync-plan.ts`), so
 * route changes apply without a reload and HAProxy keeps routing with the last table it was given
 * while ZooKeeper is away. States `idle → starting → running → closed`; syncs are serialised and
 * coalesced (only the newest table waiting is applied).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { WharfError } from '@wharf/model';
import type { Logger } from '@wharf/observability';
import type { RouteTable } from '../route-table';
import { HaproxyProcess, DEFAULT_HAPROXY_BIN } from './haproxy-process';
import {
  DEFAULT_SERVERS_PER_TIER,
  DEFAULT_SLOTS,
  renderHaproxyConfig,
  renderServersMap,
} from './render-config';
import { RuntimeApi } from './runtime-api';
import { planSync, renderCommand, type MapPaths, type Programmed, type SyncCommand } from './sync-plan';
import { haproxyMetricsText } from './stats';

/** Lifecycle of a {@link HaproxyDataPlane}. */
export type HaproxyDataPlaneState = 'idle' | 'starting' | 'running' | 'closed';

/**
 * A data plane in front of the Node proxy (`ProxyOptions.dataPlane`): it serves the public port,
 * is given every routing table, and sends what it does not route itself to the Node proxy.
 */
export interface ProxyDataPlane {
  /** Starts serving; `control` is the Node proxy's (loopback) address. Resolves with the public address. */
  start(control: AddressInfo): Promise<AddressInfo>;
  /** Routes like `table` from now on. */
  sync(table: RouteTable): Promise<void>;
  /** The data plane's own metrics as Prometheus text. */
  metricsText(): Promise<string>;
  /** Stops serving once in-flight requests finished; idempotent. */
  close(): Promise<void>;
}

/** Options of a {@link HaproxyDataPlane}. */
export interface HaproxyDataPlaneOptions {
  readonly logger: Logger;
  /** Public listen address and port (a real port: HAProxy does not report a port 0 bind). */
  readonly host: string;
  readonly port: number;
  readonly domain: string;
  /** Default {@link DEFAULT_HAPROXY_BIN}. */
  readonly bin?: string | undefined;
  /** Default {@link DEFAULT_SLOTS}. */
  readonly slots?: number | undefined;
  /** Default {@link DEFAULT_SERVERS_PER_TIER}. */
  readonly serversPerTier?: number | undefined;
  /** HAProxy threads; default 1. */
  readonly threads?: number | undefined;
  /** TCP checks and ejection on instances; default true (off only to measure their cost). */
  readonly serverChecks?: boolean | undefined;
  /** Run directory (config, map, socket); default a fresh one under the OS temp dir, removed on close. */
  readonly dir?: string | undefined;
}

/** Counters of applied route syncs. */
export interface SyncCounters {
  readonly syncs: number;
  readonly commands: number;
  readonly failedCommands: number;
  /** Deployments left to the Node proxy because every slot was taken (last sync). */
  readonly unplaced: number;
}

/** HAProxy as the proxy's data plane, programmed from route tables. */
export class HaproxyDataPlane implements ProxyDataPlane {
  private stateValue: HaproxyDataPlaneState = 'idle';
  private process: HaproxyProcess | undefined;
  private dir = '';
  private maps: MapPaths = { routes: '', servers: '' };
  private programmed: Programmed = new Map();
  private waiting: RouteTable | undefined;
  private applying: Promise<void> = Promise.resolve();
  private counters: { syncs: number; commands: number; failedCommands: number; unplaced: number } = {
    syncs: 0,
    commands: 0,
    failedCommands: 0,
    unplaced: 0,
  };

  constructor(private readonly options: HaproxyDataPlaneOptions) {}

  /** Current state. */
  get state(): HaproxyDataPlaneState {
    return this.stateValue;
  }

  /** HAProxy's pid while it runs. */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Sync counters (tests, registration stats). */
  syncCounters(): SyncCounters {
    return { ...this.counters };
  }

  /**
   * Writes the config and an empty map, starts HAProxy in front of `control`; resolves once its
   * admin socket answers (until the first sync every request falls through to the Node proxy).
   */
  async start(control: AddressInfo): Promise<AddressInfo> {
    if (this.stateValue !== 'idle')
      throw new WharfError('WHARF_CONFLICT', `haproxy data plane is ${this.stateValue}`);
    this.transition('starting');
    const o = this.options;
    this.dir = o.dir ?? (await mkdtemp(join(os.tmpdir(), 'wharf-haproxy-')));
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.maps = { routes: join(this.dir, 'routes.map'), servers: join(this.dir, 'servers.map') };
    const slots = o.slots ?? DEFAULT_SLOTS;
    const serversPerTier = o.serversPerTier ?? DEFAULT_SERVERS_PER_TIER;
    const socketPath = join(this.dir, 'admin.sock');
    const configPath = join(this.dir, 'haproxy.cfg');
    const config = renderHaproxyConfig({
      host: o.host,
      port: o.port,
      controlHost: control.address,
      controlPort: control.port,
      domain: o.domain,
      socketPath,
      mapPath: this.maps.routes,
      serversMapPath: this.maps.servers,
      serversPerTier,
      slots,
      threads: o.threads ?? 1,
      serverChecks: o.serverChecks,
    });
    await writeFile(this.maps.routes, '', { mode: 0o600 });
    await writeFile(this.maps.servers, renderServersMap(slots, serversPerTier), { mode: 0o600 });
    await writeFile(configPath, config, { mode: 0o600 });
    const api = new RuntimeApi(socketPath);
    this.process = new HaproxyProcess(o.bin ?? DEFAULT_HAPROXY_BIN, configPath, api, o.logger);
    try {
      await this.process.start();
    } catch (err) {
      this.transition('closed');
      if (o.dir === undefined) await rm(this.dir, { recursive: true, force: true });
      throw err;
    }
    this.transition('running');
    if (this.waiting !== undefined) void this.schedule();
    return { address: o.host, port: o.port, family: o.host.includes(':') ? 'IPv6' : 'IPv4' };
  }

  /** Programs HAProxy to route like `table` (coalesced); resolves once it (or a newer table) is applied. */
  sync(table: RouteTable): Promise<void> {
    this.waiting = table;
    if (this.stateValue !== 'running') return Promise.resolve();
    return this.schedule();
  }

  /** Resolves once every sync asked for so far is applied. */
  settled(): Promise<void> {
    return this.applying;
  }

  /** HAProxy's counters as Prometheus text (`wharf_proxy_haproxy_*`); '' when not running. */
  async metricsText(): Promise<string> {
    if (this.stateValue !== 'running' || this.process === undefined) return '';
    return haproxyMetricsText(await this.process.api.command('show stat'));
  }

  /** Soft-stops HAProxy (in-flight requests finish) and removes its run directory; idempotent. */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.transition('closed');
    await this.applying;
    await this.process?.stop();
    if (this.options.dir === undefined && this.dir !== '')
      await rm(this.dir, { recursive: true, force: true });
  }

  private schedule(): Promise<void> {
    this.applying = this.applying
      .then(() => this.applyWaiting())
      .catch((err: unknown) => this.options.logger.error('haproxy route sync failed', { err }));
    return this.applying;
  }

  private async applyWaiting(): Promise<void> {
    const table = this.waiting;
    this.waiting = undefined;
    if (table === undefined || this.stateValue !== 'running' || this.process === undefined) return;
    const shape = {
      slots: this.options.slots ?? DEFAULT_SLOTS,
      serversPerTier: this.options.serversPerTier ?? DEFAULT_SERVERS_PER_TIER,
    };
    const plan = planSync(table, this.programmed, this.options.domain, shape);
    let failed = 0;
    for (const command of plan.commands) {
      if (!(await this.run(command))) failed += 1;
    }
    this.programmed = plan.next;
    this.counters.syncs += 1;
    this.counters.commands += plan.commands.length;
    this.counters.failedCommands += failed;
    if (plan.unplaced.length > 0 && plan.unplaced.length !== this.counters.unplaced) {
      this.options.logger.warn('haproxy slots exhausted', { unplaced: plan.unplaced.length });
    }
    this.counters.unplaced = plan.unplaced.length;
    if (plan.droppedInstances > 0) {
      this.options.logger.warn('haproxy slot servers exhausted', { dropped: plan.droppedInstances });
    }
    this.options.logger.debug('haproxy routes synced', { commands: plan.commands.length, failed });
  }

  /** Runs one command's lines; false (logged) when HAProxy refused one. */
  private async run(command: SyncCommand): Promise<boolean> {
    const api = this.process!.api;
    for (const line of renderCommand(command, this.maps)) {
      let answer: string;
      try {
        answer = await api.command(line);
      } catch (err) {
        this.options.logger.error('haproxy runtime api failed', { op: command.op, err });
        return false;
      }
      if (accepted(line, answer)) continue;
      this.options.logger.warn('haproxy refused a command', { op: command.op, answer: answer.slice(0, 200) });
      return false;
    }
    return true;
  }

  private transition(next: HaproxyDataPlaneState): void {
    this.stateValue = next;
    this.options.logger.info('haproxy data plane state', { state: next });
  }
}

/** Whether HAProxy's answer to `line` reports success. */
function accepted(line: string, answer: string): boolean {
  if (line.includes(' addr ')) return /changed|no need to change/.test(answer);
  return answer === '';
}
