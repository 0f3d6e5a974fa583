/** Request-body validation: the model's schemas plus the checks that need more than a schema. */
import {
  WharfError,
  isWharfError,
  validateDocument,
  type DeploymentCreateRequest,
  type DeploymentTemplate,
  type DocumentKind,
  type DocumentTypes,
  type InstanceConfiguration,
  type Resources,
  type ValidationIssue,
} from '@wharf/model';
import { applyTemplate, blameOverrides, configurationIdsOf, configurationIssues } from './catalog';
import { checkStackVersions, checkUniqueRefIds, type SupportedVersions } from './plans';

type RequestKind = 'deployment-create-request' | 'deployment-update-request';

/** The model reports document-level issues with path `''`; the API names that `body`. */
function named(issues: ValidationIssue[]): ValidationIssue[] {
  return issues.map((i) => (i.path === '' ? { ...i, path: 'body' } : i));
}

function invalid(code: 'WHARF_VALIDATION' | 'WHARF_PLAN_INVALID', issues: ValidationIssue[]): WharfError {
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : 'invalid';
  return new WharfError(code, `invalid request: ${summary}`, { details: issues });
}

/** Validates a create or update body; throws 400 with every issue as `details`. */
export function validateRequest<K extends RequestKind>(
  kind: K,
  body: unknown,
  supported: SupportedVersions,
): DocumentTypes[K] {
  const result = validateDocument(kind, body);
  if (!result.ok) throw invalid('WHARF_VALIDATION', named(result.errors));
  const issues = [
    ...checkUniqueRefIds(result.value.resources),
    ...checkStackVersions(result.value.resources, supported),
  ];
  if (issues.length > 0) throw invalid('WHARF_PLAN_INVALID', issues);
  return result.value;
}

/** What the catalog checks of a request look up (stored, else built in; undefined: neither). */
export interface CatalogLookup {
  configuration(id: string): Promise<InstanceConfiguration | undefined>;
  template(id: string): Promise<DeploymentTemplate | undefined>;
}

/** Throws 400 (`WHARF_PLAN_INVALID`) for topology elements their instance configuration refuses. */
export async function checkConfigurations(
  resources: Resources,
  catalog: CatalogLookup,
  prefix = '',
): Promise<void> {
  const ids = configurationIdsOf(resources);
  const found = await Promise.all(ids.map((id) => catalog.configuration(id)));
  const issues = configurationIssues(resources, new Map(ids.map((id, i) => [id, found[i]])), prefix);
  if (issues.length > 0) throw invalid('WHARF_PLAN_INVALID', issues);
}

/**
 * A create body as a plain create request, validated: a body naming `deployment_template` is
 * the template's request with the body's fields over it (issues about an override name it).
 */
export async function resolveCreateRequest(
  body: unknown,
  supported: SupportedVersions,
  catalog: CatalogLookup,
): Promise<DeploymentCreateRequest> {
  if (typeof body !== 'object' || body === null || !('deployment_template' in body)) {
    const request = validateRequest('deployment-create-request', body, supported);
    await checkConfigurations(request.resources, catalog);
    return request;
  }
  const templated = validateBody('templated-create-request', body);
  const ref = templated.deployment_template;
  const template = await catalog.template(ref.id);
  if (template === undefined)
    throw invalid('WHARF_VALIDATION', [
      { path: 'deployment_template.id', message: `unknown template '${ref.id}'` },
    ]);
  const merged = applyTemplate(template, templated);
  try {
    const request = validateRequest('deployment-create-request', merged, supported);
    await checkConfigurations(request.resources, catalog);
    return request;
  } catch (err) {
    if (!isWharfError(err, 'WHARF_VALIDATION', 'WHARF_PLAN_INVALID')) throw err;
    throw invalid(err.code as 'WHARF_VALIDATION', blameOverrides(err.details as ValidationIssue[], ref));
  }
}

/** `body` as a `kind` document; throws 400 (`WHARF_VALIDATION`) naming each bad field. */
export function validateBody<K extends DocumentKind>(kind: K, body: unknown): DocumentTypes[K] {
  const result = validateDocument(kind, body);
  if (!result.ok) throw invalid('WHARF_VALIDATION', named(result.errors));
  return result.value;
}

/** `error`'s issues with `prefix` in front of their paths (a request nested in a document). */
export function prefixIssues(error: WharfError, prefix: string): WharfError {
  const issues = (error.details as ValidationIssue[]).map((i) => ({ ...i, path: `${prefix}${i.path}` }));
  return invalid(error.code as 'WHARF_VALIDATION', issues);
}
