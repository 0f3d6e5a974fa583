/** Request-body validation: the model's schemas plus the checks that need more than a schema. */
import { WharfError, validateDocument, type DocumentTypes, type ValidationIssue } from '@wharf/model';
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
