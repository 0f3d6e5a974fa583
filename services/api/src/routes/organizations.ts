/**
 * `/organizations`: create, list, show (with usage), set quotas, delete. A platform admin manages
 * them (`rbac.ts`); an organization's key sees only its own (`scope.ts`).
 */
import { Router } from 'express';
import { principalOf } from '../auth/authenticate';
import { organizationIdParam } from '../domain/organizations';
import { jsonObjectBody } from '../http/body';
import { allowOnly } from '../http/query';
import { send } from '../http/send';
import { type OrganizationService } from '../organization-service';

/** The organization routes. */
export function organizationRoutes(service: OrganizationService): Router {
  const router = Router();
  const idOf = (params: Record<string, string>) => organizationIdParam(params.id, 'id');

  router.post('/organizations', async (req, res) => {
    allowOnly(req, []);
    send(res, await service.create(jsonObjectBody(req)));
  });

  router.get('/organizations', async (req, res) => {
    allowOnly(req, []);
    send(res, await service.list(principalOf(res.locals)?.organizationId));
  });

  router.get('/organizations/:id', async (req, res) => {
    const id = idOf(req.params);
    allowOnly(req, []);
    send(res, await service.show(id));
  });

  router.put('/organizations/:id/quotas', async (req, res) => {
    const id = idOf(req.params);
    allowOnly(req, []);
    send(res, await service.setQuotas(id, jsonObjectBody(req)));
  });

  router.delete('/organizations/:id', async (req, res) => {
    const id = idOf(req.params);
    allowOnly(req, []);
    send(res, await service.remove(id));
  });

  return router;
}
