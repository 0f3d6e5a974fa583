/**
 * `/deployments/:id/snapshots` (list, take, delete one), `/deployments/:id/restore`, `/deployments/:id/_restore` (in
 * place), and `POST /deployments` with `restore_from`.
 */
import { Router } from 'express';
import { WharfError, isValidId } from '@wharf/model';
import { principalOf } from '../auth/authenticate';
import { type ActionService } from '../action-service';
import { type DeploymentService } from '../deployment-service';
import { jsonObjectBody } from '../http/body';
import { allowOnly } from '../http/query';
import { send } from '../http/send';
import { idParam } from '../routes/ids';
import { checkInPlaceSnapshot, checkRestoreSource, parseRestoreFrom, type RestoreRunner } from './restore';
import { type SnapshotService } from './service';

/** What the snapshot routes use. */
export interface SnapshotRouteDeps {
  snapshots: SnapshotService;
  restores: RestoreRunner;
  deployments: DeploymentService;
  actions: ActionService;
}

/** The body of `_restore`: `{"snapshot": "<id>"}`; 400 naming the field otherwise. */
export function parseRestoreBody(body: Record<string, unknown>): string {
  const bad = (path: string, message: string) =>
    new WharfError('WHARF_VALIDATION', `${path}: ${message}`, { details: [{ path, message }] });
  const extra = Object.keys(body).find((k) => k !== 'snapshot');
  if (extra !== undefined) throw bad(extra.slice(0, 80), 'is not a known field');
  if (!isValidId(body.snapshot)) throw bad('snapshot', 'must be a snapshot id');
  return body.snapshot;
}

/** The snapshot routes; mounted before the deployment routes (it takes creates with `restore_from`). */
export function snapshotRoutes(deps: SnapshotRouteDeps): Router {
  const router = Router();

  // A middleware, not a route: `POST /deployments` stays one operation (the deployment routes'),
  // this only takes the creates that carry `restore_from`.
  router.use(async (req, res, next) => {
    if (req.method !== 'POST' || req.path !== '/deployments') {
      next();
      return;
    }
    const body = jsonObjectBody(req) as Record<string, unknown>;
    if (!('restore_from' in body)) {
      next();
      return;
    }
    allowOnly(req, []);
    const { restore_from: restoreFrom, ...request } = body;
    const source = parseRestoreFrom(restoreFrom);
    const resources = request.resources;
    const kinds = typeof resources === 'object' && resources !== null ? Object.keys(resources) : [];
    // Every check (record, file, checksum, stack verification) runs before the first write.
    const principal = principalOf(res.locals);
    const organizationId = principal?.organizationId;
    const record = await checkRestoreSource(deps.snapshots, source, kinds, organizationId);
    const options = {
      ...(principal?.keyId ? { owner: principal.keyId } : {}),
      ...(organizationId ? { organizationId } : {}),
    };
    await deps.deployments.create(request, { ...options, validateOnly: true });
    const created = await deps.deployments.create(request, { ...options, validateOnly: false });
    const id = (created.body as { id: string }).id;
    const restore = await deps.restores.begin(id, record, source);
    send(res, { ...created, body: { ...(created.body as object), restore } });
  });

  router.get('/deployments/:id/restore', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    const restore = await deps.restores.get(id);
    if (restore === undefined) {
      throw new WharfError('WHARF_NOT_FOUND', `deployment ${id} was not restored from a snapshot`, {
        details: [{ path: 'id', message: 'has no restore' }],
      });
    }
    send(res, { status: 200, body: restore });
  });

  // In place: a plan (`restore-snapshot` step, in the activity log); every check before the write.
  router.post('/deployments/:id/_restore', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    const snapshot = parseRestoreBody(jsonObjectBody(req));
    const organizationId = principalOf(res.locals)?.organizationId;
    const check = () => checkInPlaceSnapshot(deps.snapshots, id, snapshot, organizationId);
    send(res, await deps.actions.restore(id, check));
  });

  router.get('/deployments/:id/snapshots', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await deps.snapshots.list(id));
  });

  router.post('/deployments/:id/snapshots', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    allowOnly(req, []);
    send(res, await deps.snapshots.take(id));
  });

  router.delete('/deployments/:id/snapshots/:snapshot', async (req, res) => {
    const id = idParam(req.params, 'id', 'deployment');
    const snapshot = idParam(req.params, 'snapshot', 'snapshot');
    allowOnly(req, []);
    send(res, await deps.snapshots.delete(id, snapshot, principalOf(res.locals)?.organizationId));
  });

  return router;
}
