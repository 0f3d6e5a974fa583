/**
 * Organizations (tenants), the pure part: the create and quota bodies, what a deployment's plan
 * costs against a quota, and the quota rule. Every check runs before anything is written.
 */
import {
  WharfError,
  assertId,
  isValidId,
  listResources,
  type Organization,
  type Resources,
  type ValidationIssue,
} from '@wharf/model';

/** Longest organization name (shown in lists). */
export const MAX_ORGANIZATION_NAME = 128;
/** Organizations an installation may hold: a bound against runaway scripts. */
export const MAX_ORGANIZATIONS = 1000;

/** Quotas; an absent one is unlimited. */
export type Quotas = Organization['quotas'];

/** What an organization uses now. */
export interface Usage {
  memory_mb: number;
  deployments: number;
}

/** A validated `POST /organizations` body. */
export interface OrganizationRequest {
  id: string;
  name: string;
  quotas: Quotas;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function invalid(issues: ValidationIssue[]): WharfError {
  const first = issues[0]!;
  return new WharfError('WHARF_VALIDATION', `invalid request: ${first.path}: ${first.message}`, {
    details: issues,
  });
}

function quotaIssues(value: unknown, prefix: string, issues: ValidationIssue[]): Quotas {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push({ path: prefix, message: 'must be an object' });
    return {};
  }
  const quotas: Quotas = {};
  for (const [key, n] of Object.entries(value)) {
    if (key !== 'memory_mb' && key !== 'deployments') {
      issues.push({ path: `${prefix}.${key.slice(0, 64)}`, message: 'is not allowed here' });
    } else if (!Number.isInteger(n) || (n as number) < 0 || (n as number) > 2 ** 31) {
      issues.push({ path: `${prefix}.${key}`, message: 'must be a whole number ≥ 0' });
    } else {
      quotas[key] = n as number;
    }
  }
  return quotas;
}

/** Validates a create body; throws 400 listing every issue. */
export function parseOrganizationRequest(body: Record<string, unknown>): OrganizationRequest {
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(body))
    if (!['id', 'name', 'quotas'].includes(key))
      issues.push({ path: key.slice(0, 64), message: 'is not allowed here' });
  if (!isValidId(body.id))
    issues.push({ path: 'id', message: 'must be a lowercase DNS label (a-z, 0-9, -)' });
  const name = body.name;
  if (
    typeof name !== 'string' ||
    name.trim() === '' ||
    name.length > MAX_ORGANIZATION_NAME ||
    CONTROL.test(name)
  )
    issues.push({ path: 'name', message: `must be 1-${MAX_ORGANIZATION_NAME} printable characters` });
  const quotas = quotaIssues(body.quotas, 'quotas', issues);
  if (issues.length > 0) throw invalid(issues);
  return { id: body.id as string, name: name as string, quotas };
}

/** Validates a `PUT /organizations/:id/quotas` body (the whole quota set). */
export function parseQuotas(body: Record<string, unknown>): Quotas {
  const issues: ValidationIssue[] = [];
  const quotas = quotaIssues(body, 'quotas', issues);
  if (issues.length > 0) throw invalid(issues);
  return quotas;
}

/** Memory a plan's resources ask for: every topology element's size × zone count. */
export function planMemoryMb(resources: Resources | undefined): number {
  if (resources === undefined) return 0;
  let total = 0;
  for (const resource of listResources(resources))
    for (const element of resource.plan.cluster_topology) total += element.size.value * element.zone_count;
  return total;
}

/** The 409 when `usage` plus `adding` goes past a quota; undefined when it fits. */
export function quotaBlocker(
  organization: Organization,
  usage: Usage,
  adding: Usage,
): WharfError | undefined {
  const { quotas } = organization;
  const checks: [keyof Usage, string][] = [
    ['deployments', 'deployments'],
    ['memory_mb', 'MB of memory'],
  ];
  for (const [key, unit] of checks) {
    const limit = quotas[key];
    const after = usage[key] + adding[key];
    if (limit !== undefined && adding[key] > 0 && after > limit) {
      const message = `organization ${organization.id} would use ${after} ${unit}, over its quota of ${limit}`;
      return new WharfError('WHARF_QUOTA_EXCEEDED', message, {
        details: [
          { path: `quotas.${key}`, message: `quota ${limit}, in use ${usage[key]}, asked ${adding[key]}` },
        ],
      });
    }
  }
  return undefined;
}

/** The 409 when new quotas are below what the organization already uses. */
export function quotaBelowUse(quotas: Quotas, usage: Usage): WharfError | undefined {
  for (const key of ['deployments', 'memory_mb'] as const) {
    const limit = quotas[key];
    if (limit !== undefined && limit < usage[key]) {
      return new WharfError('WHARF_CONFLICT', `quotas.${key} ${limit} is below current use ${usage[key]}`, {
        details: [{ path: `quotas.${key}`, message: `must be at least the current use, ${usage[key]}` }],
      });
    }
  }
  return undefined;
}

/** Checks an organization id from a request (400 naming `field`). */
export function organizationIdParam(value: unknown, field: string): string {
  try {
    return assertId('organization', value);
  } catch {
    throw invalid([{ path: field, message: 'must be a lowercase DNS label (a-z, 0-9, -)' }]);
  }
}
