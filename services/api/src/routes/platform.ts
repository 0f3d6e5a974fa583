/** `/platform`: installation summary, allocators (with maintenance mode), proxies. */
import { Router } from 'express';
import { jsonObjectBody } from '../http/body';
import { allowOnly, boolParam } from '../http/query';
import { send } from '../http/send';
import { type PlatformService } from '../platform-service';
import { idParam } from './ids';

/** The platform routes. */
export function platformRoutes(service: PlatformService): Router {
  const router = Router();

  router.get('/platform', async (req, res) => {
    allowOnly(req, []);
    send(res, await service.info());
  });

  router.get('/platform/allocators', async (req, res) => {
    allowOnly(req, []);
    send(res, await service.allocators());
  });

  router.put('/platform/allocators/:id/maintenance', async (req, res) => {
    const id = idParam(req.params, 'id', 'allocator');
    const force = boolParam(allowOnly(req, ['force']), 'force', false);
    send(res, await service.setMaintenance(id, jsonObjectBody(req), force));
  });

  router.get('/platform/proxies', async (req, res) => {
    allowOnly(req, []);
    send(res, await service.proxies());
  });

  return router;
}
