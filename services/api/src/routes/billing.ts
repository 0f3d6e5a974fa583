/** `/platform/configuration/pricing` and `/billing/usage` (`billing-service.ts`). */
import { Router } from 'express';
import { principalOf } from '../auth/authenticate';
import { type BillingService } from '../billing-service';
import { jsonObjectBody } from '../http/body';
import { allowOnly } from '../http/query';
import { send } from '../http/send';

/** The billing routes. */
export function billingRoutes(service: BillingService): Router {
  const router = Router();

  router.put('/platform/configuration/pricing', async (req, res) => {
    allowOnly(req, []);
    send(res, await service.setPricing(jsonObjectBody(req)));
  });

  router.get('/platform/configuration/pricing', async (req, res) => {
    allowOnly(req, []);
    send(res, await service.pricing());
  });

  router.get('/billing/usage', async (req, res) => {
    const query = allowOnly(req, ['from', 'to', 'organization', 'format']);
    const out = await service.usage(query, principalOf(res.locals)?.organizationId);
    if ('text' in out) res.status(out.status).type(out.contentType).send(out.text);
    else send(res, out);
  });

  return router;
}
