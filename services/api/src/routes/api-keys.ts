/**
 * `/platform/configuration/security/api-keys`: create (the key is in the 201 body and nowhere
 * else), list, and revoke API keys. Beside the roles tokens, as in ECE's security configuration.
 * `GET /user` (ECE's current user) answers any key with its own id and role: the console offers
 * only what that role may do, and a viewer cannot list keys to find out.
 */
import { Router } from 'express';
import { type ApiKeyService } from '../api-key-service';
import { principalOf } from '../auth/authenticate';
import { jsonObjectBody } from '../http/body';
import { allowOnly } from '../http/query';
import { send } from '../http/send';
import { idParam } from './ids';

/** The caller's own key: id, role and organization, for a client to offer only what it may do. */
export const USER_PATH = '/user';

/** Where the API key routes live, below the API prefix. */
export const API_KEYS_PATH = '/platform/configuration/security/api-keys';

/** The API key routes. */
export function apiKeyRoutes(service: ApiKeyService): Router {
  const router = Router();

  router.post(API_KEYS_PATH, async (req, res) => {
    allowOnly(req, []);
    send(res, await service.create(jsonObjectBody(req), principalOf(res.locals)?.keyId));
  });

  router.get(API_KEYS_PATH, async (req, res) => {
    allowOnly(req, []);
    send(res, await service.list());
  });

  router.get(USER_PATH, (req, res) => {
    allowOnly(req, []);
    const principal = principalOf(res.locals);
    send(res, {
      status: 200,
      body: {
        key_id: principal?.keyId ?? null,
        role: principal?.role ?? null,
        ...(principal?.organizationId === undefined ? {} : { organization_id: principal.organizationId }),
      },
    });
  });

  router.delete(`${API_KEYS_PATH}/:id`, async (req, res) => {
    const id = idParam(req.params, 'id', 'api_key');
    allowOnly(req, []);
    send(res, await service.revoke(id, principalOf(res.locals)?.keyId));
  });

  return router;
}
