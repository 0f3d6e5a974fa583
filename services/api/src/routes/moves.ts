/** `_move`: instances off an allocator (vacate), and listed instances of a deployment. */
import { Router } from 'express';
import { jsonObjectBody } from '../http/body';
import { allowOnly } from '../http/query';
import { send } from '../http/send';
import { type MoveService } from '../move-service';
import { idParam } from './ids';

/** The move routes. */
export function moveRoutes(service: MoveService): Router {
  const router = Router();

  router.post('/platform/allocators/:id/instances/_move', async (req, res) => {
    const id = idParam(req.params, 'id', 'allocator');
    allowOnly(req, []);
    send(res, await service.moveFromAllocator(id, jsonObjectBody(req)));
  });

  router.post('/deployments/:id/instances/_move', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await service.moveInDeployment(id, jsonObjectBody(req)));
  });

  return router;
}
