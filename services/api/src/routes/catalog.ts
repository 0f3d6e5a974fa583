/**
 * `/platform/configuration/instances` and `/deployments/templates`: the catalog. The template
 * router is mounted before the deployment routes so that `/deployments/templates` is never read
 * as a deployment called `templates` (generated deployment ids are 16 hex digits, never that).
 */
import { Router } from 'express';
import { WharfError, assertInstanceConfigurationId, isWharfError } from '@wharf/model';
import { type CatalogService } from '../catalog-service';
import { jsonObjectBody } from '../http/body';
import { badRequest } from '../http/errors';
import { allowOnly } from '../http/query';
import { send } from '../http/send';
import { idParam } from './ids';

/** The `:id` as an instance configuration id; 400 naming `id` otherwise. */
function configurationIdParam(params: Record<string, string | string[] | undefined>): string {
  try {
    return assertInstanceConfigurationId(params.id);
  } catch (err) {
    if (!isWharfError(err, 'WHARF_INVALID_ID')) throw err;
    const invalid = badRequest(
      'id',
      'must be an instance configuration id (lowercase letters, digits, . _ -)',
    );
    throw new WharfError('WHARF_INVALID_ID', invalid.message, { details: invalid.details, cause: err });
  }
}

/** The instance configuration and template routes. */
export function catalogRoutes(service: CatalogService): Router {
  const router = Router();
  const configurations = '/platform/configuration/instances';
  const templates = '/deployments/templates';

  router.get(configurations, async (req, res) => {
    allowOnly(req, []);
    send(res, await service.listConfigurations());
  });
  router.get(`${configurations}/:id`, async (req, res) => {
    const id = configurationIdParam(req.params);
    allowOnly(req, []);
    send(res, await service.showConfiguration(id));
  });
  router.put(`${configurations}/:id`, async (req, res) => {
    const id = configurationIdParam(req.params);
    allowOnly(req, []);
    send(res, await service.putConfiguration(id, jsonObjectBody(req)));
  });
  router.delete(`${configurations}/:id`, async (req, res) => {
    const id = configurationIdParam(req.params);
    allowOnly(req, []);
    send(res, await service.deleteConfiguration(id));
  });

  router.get(templates, async (req, res) => {
    allowOnly(req, []);
    send(res, await service.listTemplates());
  });
  router.get(`${templates}/:id`, async (req, res) => {
    const id = idParam(req.params, 'id', 'template');
    allowOnly(req, []);
    send(res, await service.showTemplate(id));
  });
  router.put(`${templates}/:id`, async (req, res) => {
    const id = idParam(req.params, 'id', 'template');
    allowOnly(req, []);
    send(res, await service.putTemplate(id, jsonObjectBody(req)));
  });
  router.delete(`${templates}/:id`, async (req, res) => {
    const id = idParam(req.params, 'id', 'template');
    allowOnly(req, []);
    send(res, await service.deleteTemplate(id));
  });
  return router;
}
