/**
 * `GET /deployments/:id/plan/activity/_stream`: Server-Sent Events with the deployment and its
 * newest plan attempts, pushed when they change (`event: snapshot`), and `event: gone` when the
 * deployment no longer exists. The first snapshot is awaited before the response starts, so an
 * unknown deployment is a plain 404 JSON error like every other route.
 */
import { Router, type Response } from 'express';
import { WharfError, isWharfError } from '@wharf/model';
import { type DeploymentService } from '../deployment-service';
import { allowOnly } from '../http/query';
import { idParam } from '../routes/ids';
import { type ActivityEvent, type ActivityFeed, type ActivitySource } from './feed';

/** The stream's path below the API prefix (Express syntax). */
export const ACTIVITY_STREAM_PATH = '/deployments/:id/plan/activity/_stream';
/** Attempts in each snapshot: the running one and a short history. */
export const STREAM_ATTEMPTS = 5;
/**
 * Comment line sent on an idle stream: keeps proxies and load balancers (often 60 s idle
 * timeouts) from cutting it, and lets the server notice a client that went away.
 */
export const HEARTBEAT_MS = 15_000;

/** The snapshot source over the deployment service: what `GET /deployments/:id` and `/plan/activity` say. */
export function deploymentActivitySource(service: DeploymentService): ActivitySource {
  return {
    snapshot: async (id) => {
      try {
        const [deployment, activity] = await Promise.all([
          service.show(id),
          service.activity(id, STREAM_ATTEMPTS),
        ]);
        return { deployment: deployment.body, attempts: (activity.body as { attempts: unknown[] }).attempts };
      } catch (err) {
        if (isWharfError(err, 'WHARF_NOT_FOUND')) return undefined;
        throw err;
      }
    },
  };
}

function writeEvent(res: Response, event: ActivityEvent): void {
  if (event.type === 'snapshot') res.write(`event: snapshot\ndata: ${JSON.stringify(event.data)}\n\n`);
  else res.write(`event: ${event.type}\ndata: {}\n\n`);
}

/** The activity stream route. */
export function activityRoutes(feed: ActivityFeed): Router {
  const router = Router();
  router.get(ACTIVITY_STREAM_PATH, (req, res, next) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    let started = false;
    let heartbeat: NodeJS.Timeout | undefined;
    // `finish` may run inside `subscribe` (a replayed event), before its result is known.
    const subscription: { finished: boolean; unsubscribe?: () => void } = { finished: false };
    const finish = () => {
      clearInterval(heartbeat);
      subscription.finished = true;
      subscription.unsubscribe?.();
    };
    const unsubscribe = feed.subscribe(id, (event) => {
      if (!started) {
        if (event.type === 'gone') {
          finish();
          next(new WharfError('WHARF_NOT_FOUND', `deployment ${id} not found`, { details: [] }));
          return;
        }
        started = true;
        res.status(200);
        res.setHeader('content-type', 'text/event-stream; charset=utf-8');
        res.setHeader('cache-control', 'no-store, no-transform');
        res.setHeader('x-accel-buffering', 'no');
        res.flushHeaders();
        heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
        heartbeat.unref();
      }
      writeEvent(res, event);
      if (event.type === 'gone') {
        finish();
        res.end();
      }
    });
    if (unsubscribe === undefined) {
      next(
        new WharfError('WHARF_UNAVAILABLE', 'too many activity streams open; try again later', {
          details: [{ path: 'id', message: 'stream limit reached' }],
        }),
      );
      return;
    }
    subscription.unsubscribe = unsubscribe;
    if (subscription.finished) unsubscribe();
    else res.on('close', finish);
  });
  return router;
}
