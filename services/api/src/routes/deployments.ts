/** `/deployments`, `/deployments/_search` and `/deployments/:id`: create, list, search, show, update, delete. */
import { Router } from 'express';
import { principalOf } from '../auth/authenticate';
import { type DeploymentService } from '../deployment-service';
import { RESTART_GROUP_BY, type RestartGroupBy } from '../domain/plans';
import { REQUEST_ID_PATTERN } from '../domain/request-marker';
import { LIST_PARAMS, parseListQuery, parseSearchBody } from '../domain/deployment-query';
import { jsonObjectBody } from '../http/body';
import { allowOnly, boolParam, intParam, stringParam } from '../http/query';
import { send } from '../http/send';
import { idParam } from './ids';

/** A restart rolls one instance at a time unless asked otherwise (ECE's `rolling` default). */
export const DEFAULT_RESTART_GROUP_BY: RestartGroupBy = '__name__';
const RESTART_GROUP_BY_PATTERN = new RegExp(`^(${RESTART_GROUP_BY.join('|')})$`);
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
    const query = parseListQuery(allowOnly(req, LIST_PARAMS));
    send(res, await service.listing.list(query, principalOf(res.locals)?.organizationId));
  });

  // A read (rbac.ts): ECE's search is a POST only because the query is a body.
  router.post('/deployments/_search', async (req, res) => {
    allowOnly(req, []);
    const query = parseSearchBody(jsonObjectBody(req));
    send(res, await service.listing.search(query, principalOf(res.locals)?.organizationId));
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

  router.post('/deployments/:id/_restart', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    const query = allowOnly(req, ['group_by']);
    const groupBy = stringParam(
      query,
      'group_by',
      RESTART_GROUP_BY_PATTERN,
      `must be one of ${RESTART_GROUP_BY.join(', ')}`,
    );
    send(res, await service.restart(id, (groupBy ?? DEFAULT_RESTART_GROUP_BY) as RestartGroupBy));
  });

  router.delete('/deployments/:id', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await service.remove(id));
  });

  return router;
}
