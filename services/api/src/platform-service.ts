/** What the platform routes do: summaries of ZooKeeper (and the quorum as directors see it), services, allocators and proxies. */
import { WharfError } from '@wharf/model';
import { guardMaintenance } from './domain/guards';
import { allocatorView } from './domain/views';
import { badRequest } from './http/errors';
import { type ServiceResponse } from './http/send';
import { type PlatformStore } from './store/types';

/** Dependencies of a {@link PlatformService}. */
export interface PlatformServiceDeps {
  platform: PlatformStore;
  /** Version of this api build. */
  version: string;
  /** This api process's id. */
  id: string;
}

/** `GET /platform`, allocators, proxies, maintenance. */
export class PlatformService {
  constructor(private readonly deps: PlatformServiceDeps) {}

  /** `GET /platform`. */
  async info(): Promise<ServiceResponse> {
    const { platform } = this.deps;
    const [services, leader, allocators, proxies, deployments, directors] = await Promise.all([
      platform.services(),
      platform.constructorLeader(),
      platform.allocators(),
      platform.proxies(),
      platform.deploymentCount(),
      platform.directors(),
    ]);
    const alive = Object.fromEntries(
      [...services].map(([name, regs]) => [
        name,
        regs.map((r) => ({
          id: r.id,
          address: r.address,
          port: r.port ?? null,
          zone: r.zone ?? null,
          version: r.version,
          started: r.started,
        })),
      ]),
    );
    const body = {
      version: this.deps.version,
      id: this.deps.id,
      zookeeper: platform.zookeeper(),
      // Each live director's last read of the quorum (`srvr` per server); none without a director.
      directors: directors.map((d) => ({
        id: d.id,
        enrol_address: d.enrol_address,
        ca_fingerprint: d.ca_fingerprint,
        quorum: d.quorum,
        updated: d.updated,
      })),
      services: alive,
      constructors: { leader: leader ?? null, alive: services.get('constructor')?.length ?? 0 },
      allocators: {
        total: allocators.length,
        connected: allocators.filter((a) => a.live).length,
        maintenance: allocators.filter((a) => a.advertisement?.maintenance === true).length,
      },
      proxies: { total: proxies.length },
      deployments: { total: deployments },
    };
    return { status: 200, body };
  }

  /** `GET /platform/allocators`. */
  async allocators(): Promise<ServiceResponse> {
    const all = await this.deps.platform.allocators();
    const views = all.map(allocatorView).sort((a, b) => a.id.localeCompare(b.id));
    return { status: 200, body: { allocators: views } };
  }

  /** `GET /platform/proxies`. */
  async proxies(): Promise<ServiceResponse> {
    const proxies = await this.deps.platform.proxies();
    return { status: 200, body: { proxies: proxies.sort((a, b) => a.id.localeCompare(b.id)) } };
  }

  /**
   * `PUT /platform/allocators/:id/maintenance` with `{ enabled: boolean }`; switching it on for an
   * allocator with instances is refused (409 `WHARF_IN_USE`) unless `force`.
   */
  async setMaintenance(id: string, body: Record<string, unknown>, force = false): Promise<ServiceResponse> {
    for (const key of Object.keys(body)) {
      if (key !== 'enabled') throw badRequest(key, 'is not allowed here');
    }
    if (typeof body.enabled !== 'boolean') throw badRequest('enabled', 'is required and must be a boolean');
    if (!force) guardMaintenance(id, body.enabled, await this.deps.platform.allocators());
    const updated = await this.deps.platform.setMaintenance(id, body.enabled);
    if (updated === undefined) {
      throw new WharfError('WHARF_NOT_FOUND', `allocator ${id} not found`, {
        details: [{ path: 'id', message: 'no such allocator' }],
      });
    }
    return { status: 200, body: { id, maintenance: updated.maintenance } };
  }
}
