/** `/deployments/{id}/instances/{instance}/logs` (`log-service.ts`). */
import { Router } from 'express';
import { allowOnly } from '../http/query';
import { send } from '../http/send';
import { idParam } from '../routes/ids';
import { type LogService } from './log-service';

/** The instance log route. */
export function logRoutes(service: LogService): Router {
  const router = Router();
  router.get('/deployments/:id/instances/:instance/logs', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    const instance = idParam(req.params, 'instance', 'instance');
    const query = allowOnly(req, ['tail']);
    send(res, await service.tail(id, instance, query));
  });
  return router;
}
