/**
 * Confines a key of an organization to that organization (after {@link authorize}). Such a key
 * reaches `/deployments` (the list is filtered and a create is owned by its organization, in
 * `deployment-service.ts`), the deployments its organization owns, and its own organization:
 * - `/deployments/<id>/…` of another organization's (or the platform's) deployment answers exactly
 *   what a missing deployment answers, 404 `deployment <id> not found`, so ids do not leak;
 * - `/organizations/<other>` answers 404 the same way;
 * - the catalog (templates, instance configurations) can be read, not changed;
 * - everything else (allocators, hosts, platform configuration, metrics) is 403.
 * Platform keys (no organization) are not confined.
 */
import { type RequestHandler } from 'express';
import { WharfError, isValidId } from '@wharf/model';
import { organizationNotFound } from '../organization-service';
import { principalOf } from './authenticate';
import { routedPath } from './rbac';

/** The organization owning a deployment: `null` for none, undefined when there is no such deployment. */
export type DeploymentOwner = (deploymentId: string) => Promise<string | null | undefined>;

const DEPLOYMENT = /^\/deployments\/([^/]+)/i;
/** The list and the search: answered with the organization's own deployments only. */
const DEPLOYMENTS = /^\/deployments(\/_search)?\/?$/i;
const ORGANIZATION = /^\/organizations\/([^/]+)/i;
const ORGANIZATIONS = /^\/organizations\/?$/i;
/** Billing answers an organization's key with its own organization's usage only. */
const BILLING = /^\/billing(\/|$)/i;
/** Events answer an organization's key with its own organization's events only. */
const EVENTS = /^\/events\/?$/i;
/** The catalog (templates sit below `/deployments` but name no deployment): read-only to them. */
const CATALOG = /^\/(deployments\/templates|platform\/configuration\/instances)(\/|$)/i;

/** Middleware: 404/403 for what an organization's key may not reach. */
export function scopeToOrganization(apiPrefix: string, ownerOf: DeploymentOwner): RequestHandler {
  return (req, res, next) => {
    const organization = principalOf(res.locals)?.organizationId;
    if (organization === undefined) {
      next();
      return;
    }
    // Folded to lower case like the router folds it; deployment and organization ids are lower case.
    const path = routedPath(apiPrefix, req.path);
    const check = async (): Promise<void> => {
      if (DEPLOYMENTS.test(path) || ORGANIZATIONS.test(path) || BILLING.test(path) || EVENTS.test(path))
        return;
      const catalog = CATALOG.test(path);
      if (catalog && (req.method === 'GET' || req.method === 'HEAD')) return;
      const deployment = catalog ? undefined : DEPLOYMENT.exec(path)?.[1];
      if (deployment !== undefined) {
        // A malformed id is left to the route's own 400 (it names no deployment).
        if (isValidId(deployment) && (await ownerOf(deployment)) !== organization)
          throw new WharfError('WHARF_NOT_FOUND', `deployment ${deployment} not found`, {
            details: [{ path: 'id', message: 'no such deployment' }],
          });
        return;
      }
      const other = ORGANIZATION.exec(path)?.[1];
      if (other !== undefined) {
        if (other !== organization) throw organizationNotFound(other.slice(0, 64));
        return;
      }
      throw new WharfError('WHARF_FORBIDDEN', "an organization's API key reaches only its own deployments", {
        details: [{ path: 'authorization', message: `confined to organization ${organization}` }],
      });
    };
    check().then(() => next(), next);
  };
}
