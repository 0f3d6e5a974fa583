/** `/deployments/:id/plan`: pending and current plan, activity (attempts with step logs), cancel. */
import { Router } from 'express';
import { type DeploymentService } from '../deployment-service';
import { allowOnly, intParam } from '../http/query';
import { send } from '../http/send';
import { idParam } from './ids';

/** Attempts shown by default in the activity log. */
export const DEFAULT_ACTIVITY_SIZE = 20;
/** Most attempts one activity request returns (ECE shows at most 100 plans). */
export const MAX_ACTIVITY_SIZE = 100;

/** The plan routes. */
export function planRoutes(service: DeploymentService): Router {
  const router = Router();

  router.get('/deployments/:id/plan', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await service.plans(id));
  });

  router.get('/deployments/:id/plan/activity', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    const query = allowOnly(req, ['size']);
    const size = intParam(query, 'size', 1, MAX_ACTIVITY_SIZE, DEFAULT_ACTIVITY_SIZE);
    send(res, await service.activity(id, size));
  });

  router.delete('/deployments/:id/plan/pending', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await service.cancel(id));
  });

  return router;
}
