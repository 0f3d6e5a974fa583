/**
 * Deployment and instance actions in ECE's shapes: `_shutdown` and `_start` of a deployment,
 * `_stop` and `_start` of comma-separated instance ids (`instances/{instance_ids}/_stop`).
 */
import { Router } from 'express';
import { type ActionService } from '../action-service';
import { parseInstanceIds } from '../domain/actions';
import { allowOnly, boolParam } from '../http/query';
import { send } from '../http/send';
import { idParam } from './ids';

/** The action routes. */
export function actionRoutes(service: ActionService): Router {
  const router = Router();

  router.post('/deployments/:id/_shutdown', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await service.shutdown(id));
  });

  router.post('/deployments/:id/_start', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await service.start(id));
  });

  router.post('/deployments/:id/instances/:instance_ids/_stop', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    const query = allowOnly(req, ['force']);
    const force = boolParam(query, 'force', false);
    send(res, await service.stopInstances(id, parseInstanceIds(req.params.instance_ids), force));
  });

  router.post('/deployments/:id/instances/:instance_ids/_start', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await service.startInstances(id, parseInstanceIds(req.params.instance_ids)));
  });

  return router;
}
