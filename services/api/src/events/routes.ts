/** `/events` and `/platform/configuration/webhooks` (`event-service.ts`). */
import { Router } from 'express';
import { principalOf } from '../auth/authenticate';
import { badRequest } from '../http/errors';
import { allowOnly } from '../http/query';
import { send } from '../http/send';
import { type EventService } from './event-service';

/** The events and webhook routes. */
export function eventRoutes(service: EventService): Router {
  const router = Router();

  router.get('/events', async (req, res) => {
    const query = allowOnly(req, ['since', 'type', 'limit']);
    send(res, await service.list(query, principalOf(res.locals)?.organizationId));
  });

  router.put('/platform/configuration/webhooks', async (req, res) => {
    allowOnly(req, []);
    if (!req.is('application/json') || typeof req.body !== 'object' || req.body === null)
      throw badRequest('body', 'must be JSON: {"targets": [{id, url, secret, events?}]}');
    send(res, await service.setWebhooks(req.body));
  });

  router.get('/platform/configuration/webhooks', async (req, res) => {
    allowOnly(req, []);
    send(res, await service.webhooks());
  });

  router.get('/platform/configuration/webhooks/dead-letters', async (req, res) => {
    const query = allowOnly(req, ['target', 'limit']);
    send(res, await service.deadLetters(query));
  });

  return router;
}
