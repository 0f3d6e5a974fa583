/** `/deployments` and `/deployments/:id`: create, list, show, update, delete. */
import { Router } from 'express';
import { principalOf } from '../auth/authenticate';
import { type DeploymentService } from '../deployment-service';
import { REQUEST_ID_PATTERN } from '../domain/request-marker';
import { jsonObjectBody } from '../http/body';
import { allowOnly, boolParam, intParam, stringParam } from '../http/query';
import { send } from '../http/send';
import { idParam } from './ids';

/** Largest page of `GET /deployments`. */
export const MAX_PAGE_SIZE = 100;
/** Page size when none is asked for. */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest `from`: deeper paging than this is a scraper, not a person. */
export const MAX_PAGE_FROM = 100_000;
/** Largest znode version accepted in `?version=` (ZooKeeper versions are signed 32-bit). */
const MAX_VERSION = 2_147_483_647;

/** The deployment routes. */
export function deploymentRoutes(service: DeploymentService): Router {
  const router = Router();

  router.post('/deployments', async (req, res) => {
    const query = allowOnly(req, ['request_id', 'validate_only']);
    const requestId = stringParam(
      query,
      'request_id',
      REQUEST_ID_PATTERN,
      'must be 32-128 printable ASCII characters',
    );
    const validateOnly = boolParam(query, 'validate_only', false);
    const body = jsonObjectBody(req);
    const principal = principalOf(res.locals);
    const owner = principal?.keyId;
    const organizationId = principal?.organizationId;
    send(
      res,
      await service.create(body, {
        validateOnly,
        ...(requestId ? { requestId } : {}),
        ...(owner ? { owner } : {}),
        ...(organizationId ? { organizationId } : {}),
      }),
    );
  });

  router.get('/deployments', async (req, res) => {
    const query = allowOnly(req, ['from', 'size']);
    const from = intParam(query, 'from', 0, MAX_PAGE_FROM, 0);
    const size = intParam(query, 'size', 0, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
    send(res, await service.list(from, size, principalOf(res.locals)?.organizationId));
  });

  router.get('/deployments/:id', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await service.show(id));
  });

  router.put('/deployments/:id', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    const query = allowOnly(req, ['version']);
    const version = intParam(query, 'version', 0, MAX_VERSION);
    send(res, await service.update(id, jsonObjectBody(req), version));
  });

  router.delete('/deployments/:id', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await service.remove(id));
  });

  return router;
}
