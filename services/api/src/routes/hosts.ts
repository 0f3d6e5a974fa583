/**
 * Hosts and roles tokens: `POST /platform/configuration/security/roles-tokens` (the token is shown
 * once; only its scrypt hash is stored, like API keys), `DELETE …/roles-tokens/:id` (revokes it:
 * the record stays, marked `revoked`, and neither a join nor an enrolment accepts it), `GET /platform/hosts` and
 * `PUT /platform/hosts/:id/roles`. The runners act on role changes by watching their host znode;
 * dropping the allocator role of a host with instances is guarded (`domain/guards.ts`).
 */
import { Router } from 'express';
import { WharfError, type HostRegistration, type RolesToken } from '@wharf/model';
import { generateApiKey } from '../auth/api-key';
import { type Clock } from '../clock';
import { parseHostRolesRequest, parseRolesTokenRequest } from '../domain/host-requests';
import { jsonObjectBody } from '../http/body';
import { guardRoleChange } from '../domain/guards';
import { allowOnly, boolParam } from '../http/query';
import { send } from '../http/send';
import { type PlatformStore } from '../store/types';
import { type HostSnapshot, type HostStore } from '../store/zk-hosts';
import { idParam } from './ids';

/** The host view: registration, whether its runner is connected, and what it runs. */
function hostView({ registration, live }: HostSnapshot): Record<string, unknown> {
  return {
    ...publicRegistration(registration),
    connected: live !== undefined,
    services: live?.services ?? [],
  };
}

/** A registration without its storage envelope. */
function publicRegistration(registration: HostRegistration): Omit<HostRegistration, 'schema_version'> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { schema_version, ...rest } = registration;
  return rest;
}

/** The host and roles-token routes. */
export function hostRoutes(
  store: HostStore,
  clock: Clock,
  platform?: Pick<PlatformStore, 'allocators'>,
): Router {
  const router = Router();

  router.post('/platform/configuration/security/roles-tokens', async (req, res) => {
    allowOnly(req, []);
    const request = parseRolesTokenRequest(jsonObjectBody(req));
    const now = new Date(clock.now());
    // Same key material and hashing as API keys: `wharf_<id>_<secret>`, scrypt-hashed at rest.
    const generated = await generateApiKey('roles-token', now, request.roles);
    const record: RolesToken = {
      schema_version: 1,
      id: generated.record.id,
      hash: generated.record.hash,
      salt: generated.record.salt,
      roles: request.roles,
      persistent: request.persistent,
      ...(request.ttlSeconds === undefined
        ? {}
        : { expires: new Date(now.getTime() + request.ttlSeconds * 1000).toISOString() }),
      created: now.toISOString(),
    };
    await store.createRolesToken(record);
    send(res, {
      status: 201,
      body: {
        id: record.id,
        token: generated.key,
        roles: record.roles,
        persistent: record.persistent,
        ...(record.expires === undefined ? {} : { expires: record.expires }),
      },
    });
  });

  router.delete('/platform/configuration/security/roles-tokens/:id', async (req, res) => {
    const id = idParam(req.params, 'id', 'roles_token');
    allowOnly(req, []);
    const revoked = await store.revokeRolesToken(id, new Date(clock.now()));
    if (revoked === undefined) {
      throw new WharfError('WHARF_NOT_FOUND', `roles token ${id} not found`, {
        details: [{ path: 'id', message: 'no such roles token' }],
      });
    }
    send(res, { status: 200, body: { id, revoked: revoked.revoked } });
  });

  router.get('/platform/hosts', async (req, res) => {
    allowOnly(req, []);
    const hosts = await store.list();
    send(res, { status: 200, body: { hosts: hosts.map(hostView) } });
  });

  router.put('/platform/hosts/:id/roles', async (req, res) => {
    const id = idParam(req.params, 'id', 'host');
    const force = boolParam(allowOnly(req, ['force']), 'force', false);
    const roles = parseHostRolesRequest(jsonObjectBody(req));
    if (!force && platform !== undefined) {
      const current = (await store.list()).find((h) => h.registration.id === id);
      if (current) guardRoleChange(id, current.registration.roles, roles, await platform.allocators());
    }
    const updated = await store.setRoles(id, roles);
    if (updated === undefined) {
      throw new WharfError('WHARF_NOT_FOUND', `host ${id} not found`, {
        details: [{ path: 'id', message: 'no such host' }],
      });
    }
    send(res, { status: 200, body: publicRegistration(updated) });
  });

  return router;
}
