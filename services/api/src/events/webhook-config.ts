/**
 * `PUT /platform/configuration/webhooks`, the pure part: the body (a list of targets) validated
 * into the stored document, keeping the stored secret of a target whose `secret` is omitted, and
 * the view that never shows a secret.
 */
import {
  EVENT_TYPES,
  MAX_WEBHOOK_TARGETS,
  MAX_WEBHOOK_URL_LENGTH,
  WharfError,
  isEventType,
  isValidId,
  type EventType,
  type ValidationIssue,
  type WebhookConfig,
  type WebhookTarget,
} from '@wharf/model';

/** Longest secret: a 256-bit key in any common encoding fits. */
export const MAX_WEBHOOK_SECRET_LENGTH = 256;

function invalid(issues: ValidationIssue[]): WharfError {
  const first = issues[0]!;
  return new WharfError('WHARF_VALIDATION', `invalid request: ${first.path}: ${first.message}`, {
    details: issues,
  });
}

/** An `http(s)://` URL with a host and no credentials in it, or the reason it is not. */
function urlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be an http(s) URL';
  if (value.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
  if (url.hostname === '') return 'must name a host';
  // Credentials belong in the signature secret, not in a URL the GET shows.
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  return undefined;
}

function parseTarget(
  raw: unknown,
  at: string,
  stored: ReadonlyMap<string, WebhookTarget>,
  issues: ValidationIssue[],
): WebhookTarget | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push({ path: at, message: 'must be an object {id, url, secret, events?}' });
    return undefined;
  }
  const t = raw as Record<string, unknown>;
  const before = issues.length;
  for (const key of Object.keys(t))
    if (!['id', 'url', 'secret', 'events'].includes(key))
      issues.push({ path: `${at}.${key.slice(0, 64)}`, message: 'is not allowed here' });
  if (!isValidId(t.id))
    issues.push({ path: `${at}.id`, message: 'must be an id (lowercase letters, digits, -)' });
  const problem = urlProblem(t.url);
  if (problem) issues.push({ path: `${at}.url`, message: problem });
  const kept = typeof t.id === 'string' ? stored.get(t.id)?.secret : undefined;
  if (t.secret === undefined && kept === undefined)
    issues.push({ path: `${at}.secret`, message: 'is required for a new target' });
  else if (
    t.secret !== undefined &&
    (typeof t.secret !== 'string' ||
      t.secret.trim().length === 0 ||
      t.secret.length > MAX_WEBHOOK_SECRET_LENGTH)
  )
    issues.push({
      path: `${at}.secret`,
      message: `must be a non-empty string of at most ${MAX_WEBHOOK_SECRET_LENGTH} characters`,
    });
  let events: EventType[] | undefined;
  if (t.events !== undefined) {
    if (!Array.isArray(t.events) || t.events.length === 0 || !t.events.every(isEventType))
      issues.push({ path: `${at}.events`, message: `must be a non-empty list of ${EVENT_TYPES.join(', ')}` });
    else events = [...new Set(t.events)];
  }
  if (issues.length > before) return undefined;
  return {
    id: t.id as string,
    url: t.url as string,
    secret: (t.secret as string | undefined) ?? kept!,
    ...(events ? { events } : {}),
  };
}

/**
 * Validates a PUT body `{ targets: [...] }` into the stored document. A target given without
 * `secret` keeps its stored one (so a GET–edit–PUT round trip works though the GET hides it).
 */
export function parseWebhookConfig(
  body: Record<string, unknown>,
  stored: WebhookConfig | undefined,
  now: number,
): WebhookConfig {
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(body))
    if (key !== 'targets') issues.push({ path: key.slice(0, 64), message: 'is not allowed here' });
  if (!Array.isArray(body.targets)) {
    issues.push({ path: 'targets', message: 'must be a list of {id, url, secret, events?}' });
    throw invalid(issues);
  }
  if (body.targets.length > MAX_WEBHOOK_TARGETS)
    issues.push({ path: 'targets', message: `must hold at most ${MAX_WEBHOOK_TARGETS} targets` });
  const previous = new Map((stored?.targets ?? []).map((t) => [t.id, t]));
  const targets: WebhookTarget[] = [];
  const seen = new Set<string>();
  body.targets.slice(0, MAX_WEBHOOK_TARGETS).forEach((raw, i) => {
    const target = parseTarget(raw, `targets[${i}]`, previous, issues);
    if (target === undefined) return;
    if (seen.has(target.id)) issues.push({ path: `targets[${i}].id`, message: 'is used by another target' });
    seen.add(target.id);
    targets.push(target);
  });
  if (issues.length > 0) throw invalid(issues);
  return { schema_version: 1, targets, updated: new Date(now).toISOString() };
}

/** The targets as the api shows them: every field but the secret. */
export function webhookView(config: WebhookConfig | undefined): Record<string, unknown>[] {
  return (config?.targets ?? []).map(({ secret: _secret, ...rest }) => ({ ...rest, secret_set: true }));
}
