/** `POST /deployments/:id/etcd/:ref_id/credentials/_reset` (ECE's `…/elasticsearch/{ref_id}/_reset-password`). */
import { Router } from 'express';
import { allowOnly } from '../http/query';
import { send } from '../http/send';
import { idParam } from '../routes/ids';
import { type CredentialsService } from './service';

/** The credentials routes. */
export function credentialsRoutes(service: CredentialsService): Router {
  const router = Router();
  router.post('/deployments/:id/etcd/:ref_id/credentials/_reset', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    const refId = idParam(req.params, 'ref_id', 'ref_id');
    allowOnly(req, []);
    send(res, await service.reset(id, refId));
  });
  return router;
}
