/**
 * The proxy's presence in ZooKeeper: ephemeral `/proxies/<id>` (a `ServiceRegistration` whose
 * `stats` are refreshed periodically) and `/services/proxy/<id>`. Both vanish with the session and
 * are re-created by the zk package when a new session replaces a lost one.
 */
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { SCHEMA_VERSION, paths, serializeDocument, type ServiceRegistration } from '@wharf/model';
import type { Logger } from '@wharf/observability';
import type { EphemeralRegistration, ZkSession } from '@wharf/zk';
import type { Clock, TimerHandle } from './clock';

/**
 * Stats refresh interval. Each refresh is one ZooKeeper write per proxy; every 15 s keeps the
 * platform's proxy view fresh enough for a console while costing the ensemble nothing noticeable.
 */
export const DEFAULT_STATS_INTERVAL_MS = 15_000;

/** The service name under `/services/<service>/<id>`. */
const SERVICE_NAME = 'proxy';

/** Options for {@link ProxyRegistration}. */
export interface ProxyRegistrationOptions {
  readonly zk: ZkSession;
  readonly id: string;
  readonly zone: string | undefined;
  readonly version: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** See {@link DEFAULT_STATS_INTERVAL_MS}. */
  readonly intervalMs?: number | undefined;
  /** Current counters, written into `stats`. */
  readonly stats: () => Record<string, number>;
}

/** Registers the proxy and keeps its stats fresh. */
export class ProxyRegistration {
  private readonly options: ProxyRegistrationOptions;
  private proxyNode: EphemeralRegistration | undefined;
  private serviceNode: EphemeralRegistration | undefined;
  private base: Omit<ServiceRegistration, 'stats'> | undefined;
  private timer: TimerHandle | undefined;
  private updating = false;
  private closed = false;

  constructor(options: ProxyRegistrationOptions) {
    this.options = options;
  }

  /** Creates both ephemeral nodes for the bound `address`. */
  async start(address: AddressInfo): Promise<void> {
    const { zk, id, zone, version, clock } = this.options;
    this.base = {
      schema_version: SCHEMA_VERSION,
      id,
      service: SERVICE_NAME,
      address: advertisedAddress(address.address),
      port: address.port,
      ...(zone === undefined ? {} : { zone }),
      version,
      started: new Date(clock.now()).toISOString(),
    };
    const data = this.document();
    this.proxyNode = await zk.registerEphemeral(paths.proxy(id), data);
    this.serviceNode = await zk.registerEphemeral(paths.serviceLive(SERVICE_NAME, id), data);
    this.options.logger.info('proxy registered', { id, address: this.base.address, port: address.port });
    this.schedule();
  }

  /** Stops refreshing and deletes both nodes. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.timer?.cancel();
    await Promise.all([this.proxyNode?.close(), this.serviceNode?.close()]);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = this.options.clock.setTimeout(() => {
      void this.refresh().finally(() => this.schedule());
    }, this.options.intervalMs ?? DEFAULT_STATS_INTERVAL_MS);
  }

  private async refresh(): Promise<void> {
    // While ZooKeeper is down an update waits for the operation timeout; never stack them up.
    if (this.updating || this.proxyNode === undefined) return;
    this.updating = true;
    try {
      await this.proxyNode.update(this.document());
    } catch (err) {
      this.options.logger.warn('proxy stats update failed', { err });
    } finally {
      this.updating = false;
    }
  }

  private document(): Buffer {
    return serializeDocument('service-registration', { ...this.base!, stats: this.options.stats() });
  }
}

/** A wildcard bind address is not reachable as such: advertise the host name instead. */
function advertisedAddress(bound: string): string {
  return bound === '0.0.0.0' || bound === '::' ? hostname() : bound;
}
