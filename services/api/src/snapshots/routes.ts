/** `/deployments/:id/snapshots`: list and take snapshots. */
import { Router } from 'express';
import { allowOnly } from '../http/query';
import { send } from '../http/send';
import { idParam } from '../routes/ids';
import { type SnapshotService } from './service';

/** The snapshot routes. */
export function snapshotRoutes(service: SnapshotService): Router {
  const router = Router();

  router.get('/deployments/:id/snapshots', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await service.list(id));
  });

  router.post('/deployments/:id/snapshots', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await service.take(id));
  });

  return router;
}
