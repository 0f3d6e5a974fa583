/** The event, webhook and instance log routers, when the store has what they need. */
import { type Router } from 'express';
import { type Logger } from '@wharf/observability';
import { type Clock } from '../clock';
import { LogService } from '../logs/log-service';
import { logRoutes } from '../logs/routes';
import { type ApiStore } from '../store/types';
import { EventService } from './event-service';
import { eventRoutes } from './routes';

/** Routers for `/events`, `/platform/configuration/webhooks` and instance logs. */
export function eventRouters(store: ApiStore, clock: Clock, logger: Logger): Router[] {
  const out: Router[] = [];
  if (store.events)
    out.push(
      eventRoutes(
        new EventService({ events: store.events, clock, logger: logger.child({ component: 'events' }) }),
      ),
    );
  if (store.logs)
    out.push(
      logRoutes(
        new LogService({
          logs: store.logs,
          clock,
          logger: logger.child({ component: 'logs' }),
          deploymentExists: async (id) => (await store.deployments.get(id)) !== undefined,
        }),
      ),
    );
  return out;
}
