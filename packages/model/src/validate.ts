/**
 * Validation with ajv (draft 2020-12). Each schema is compiled once, lazily. Errors come back
 * as `{ path, message }` with a dotted path a person can act on
 * (`resources.etcd[0].plan.cluster_topology[0].zone_count`).
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { type TSchema } from '@sinclair/typebox';
import { WharfError } from './errors';
import { resourcesIssues } from './request-checks';
import { AvailabilitySchema, type Availability } from './schemas/availability';
import { PRINTABLE_TEXT_PATTERN } from './schemas/common';
import {
  MeteringCursorSchema,
  MeteringDaySchema,
  PricingSchema,
  type MeteringCursor,
  type MeteringDay,
  type Pricing,
} from './schemas/metering';
import {
  TrafficCountsSchema,
  TrafficHourSchema,
  type TrafficCounts,
  type TrafficHour,
} from './schemas/traffic';
import {
  ApiKeyRecordSchema,
  OrganizationSchema,
  AllocatorAdvertisementSchema,
  DeploymentSchema,
  InstanceConfigurationSchema,
  InstanceSpecSchema,
  InstanceStatusSchema,
  PlanAttemptSchema,
  PlanDocumentSchema,
  PlatformConfigSchema,
  RouteEntrySchema,
  ServiceRegistrationSchema,
  type AllocatorAdvertisement,
  type ApiKeyRecord,
  type Organization,
  type Deployment,
  type InstanceConfiguration,
  type InstanceSpec,
  type InstanceStatus,
  type PlanAttempt,
  type PlanDocument,
  type PlatformConfig,
  type RouteEntry,
  type ServiceRegistration,
} from './schemas/documents';
import {
  DeploymentCreateRequestSchema,
  DeploymentUpdateRequestSchema,
  STACK_KINDS,
  type DeploymentCreateRequest,
  type DeploymentUpdateRequest,
} from './schemas/plan';
import {
  HostLiveSchema,
  HostRegistrationSchema,
  RolesTokenSchema,
  type HostLive,
  type HostRegistration,
  type RolesToken,
} from './schemas/hosts';
import { ScrapeTokenRecordSchema, type ScrapeTokenRecord } from './schemas/monitoring';
import {
  DeadLetterSchema,
  DeliveryCursorSchema,
  EventRecordSchema,
  WebhookConfigSchema,
  type DeadLetter,
  type DeliveryCursor,
  type EventRecord,
  type WebhookConfig,
} from './schemas/events';
import { LogRequestSchema, type LogRequest } from './schemas/instance-logs';
import {
  DeploymentTemplateRequestSchema,
  DeploymentTemplateSchema,
  InstanceConfigurationRequestSchema,
  TemplatedCreateRequestSchema,
  type DeploymentTemplate,
  type DeploymentTemplateRequest,
  type InstanceConfigurationRequest,
  type TemplatedCreateRequest,
} from './schemas/catalog';
import {
  DirectorCaSchema,
  DirectorStatusSchema,
  type DirectorCa,
  type DirectorStatus,
} from './schemas/director';
import {
  BrandingRequestSchema,
  BrandingSchema,
  type Branding,
  type BrandingRequest,
} from './schemas/branding';

/** Most errors reported for one document: enough to act on, bounded for hostile input. */
const MAX_REPORTED_ERRORS = 20;

/** Every schema by document kind, and the type it validates. */
const SCHEMAS = {
  'deployment-create-request': DeploymentCreateRequestSchema,
  'deployment-update-request': DeploymentUpdateRequestSchema,
  deployment: DeploymentSchema,
  plan: PlanDocumentSchema,
  'instance-spec': InstanceSpecSchema,
  'instance-status': InstanceStatusSchema,
  'allocator-advertisement': AllocatorAdvertisementSchema,
  route: RouteEntrySchema,
  'plan-attempt': PlanAttemptSchema,
  'platform-config': PlatformConfigSchema,
  'api-key': ApiKeyRecordSchema,
  'metering-cursor': MeteringCursorSchema,
  'metering-day': MeteringDaySchema,
  pricing: PricingSchema,
  'traffic-counts': TrafficCountsSchema,
  'traffic-hour': TrafficHourSchema,
  availability: AvailabilitySchema,
  organization: OrganizationSchema,
  'instance-configuration': InstanceConfigurationSchema,
  'service-registration': ServiceRegistrationSchema,
  'host-registration': HostRegistrationSchema,
  'host-live': HostLiveSchema,
  'roles-token': RolesTokenSchema,
  'scrape-token': ScrapeTokenRecordSchema,
  event: EventRecordSchema,
  webhooks: WebhookConfigSchema,
  'webhook-delivery': DeliveryCursorSchema,
  'dead-letter': DeadLetterSchema,
  'log-request': LogRequestSchema,
  'instance-configuration-request': InstanceConfigurationRequestSchema,
  'deployment-template': DeploymentTemplateSchema,
  'deployment-template-request': DeploymentTemplateRequestSchema,
  'templated-create-request': TemplatedCreateRequestSchema,
  'director-ca': DirectorCaSchema,
  'director-status': DirectorStatusSchema,
  branding: BrandingSchema,
  'branding-request': BrandingRequestSchema,
} as const satisfies Record<string, TSchema>;

/** The TypeScript type of each document kind. */
export interface DocumentTypes {
  'deployment-create-request': DeploymentCreateRequest;
  'deployment-update-request': DeploymentUpdateRequest;
  deployment: Deployment;
  plan: PlanDocument;
  'instance-spec': InstanceSpec;
  'instance-status': InstanceStatus;
  'allocator-advertisement': AllocatorAdvertisement;
  route: RouteEntry;
  'plan-attempt': PlanAttempt;
  'platform-config': PlatformConfig;
  'api-key': ApiKeyRecord;
  'metering-cursor': MeteringCursor;
  'metering-day': MeteringDay;
  pricing: Pricing;
  'traffic-counts': TrafficCounts;
  'traffic-hour': TrafficHour;
  availability: Availability;
  organization: Organization;
  'instance-configuration': InstanceConfiguration;
  'service-registration': ServiceRegistration;
  'host-registration': HostRegistration;
  'host-live': HostLive;
  'roles-token': RolesToken;
  'scrape-token': ScrapeTokenRecord;
  event: EventRecord;
  webhooks: WebhookConfig;
  'webhook-delivery': DeliveryCursor;
  'dead-letter': DeadLetter;
  'log-request': LogRequest;
  'instance-configuration-request': InstanceConfigurationRequest;
  'deployment-template': DeploymentTemplate;
  'deployment-template-request': DeploymentTemplateRequest;
  'templated-create-request': TemplatedCreateRequest;
  'director-ca': DirectorCa;
  'director-status': DirectorStatus;
  branding: Branding;
  'branding-request': BrandingRequest;
}

/** A document kind. */
export type DocumentKind = keyof DocumentTypes;

/** One validation problem. */
export interface ValidationIssue {
  /** Dotted path to the offending field (`''` for the document itself). */
  path: string;
  message: string;
}

/** The outcome of a validation. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: ValidationIssue[] };

let ajv: Ajv2020 | undefined;
const compiled = new Map<DocumentKind, ValidateFunction>();

function validatorFor(kind: DocumentKind): ValidateFunction {
  let fn = compiled.get(kind);
  if (!fn) {
    ajv ??= addFormats(new Ajv2020({ allErrors: true, strict: true, strictTuples: false }), ['date-time']);
    fn = ajv.compile(SCHEMAS[kind]);
    compiled.set(kind, fn);
  }
  return fn;
}

/** The JSON Schema of a document kind (for docs and the API's OpenAPI-ish description). */
export function schemaOf(kind: DocumentKind): TSchema {
  return SCHEMAS[kind];
}

/** Validates `value` as a `kind` document. */
export function validateDocument<K extends DocumentKind>(
  kind: K,
  value: unknown,
): ValidationResult<DocumentTypes[K]> {
  const fn = validatorFor(kind);
  if (!fn(value)) return { ok: false, errors: formatErrors(fn.errors ?? []) };
  if (kind === 'deployment-create-request' || kind === 'deployment-update-request') {
    const issues = resourcesIssues((value as DeploymentCreateRequest).resources);
    if (issues.length > 0) return { ok: false, errors: issues };
  }
  return { ok: true, value: value as DocumentTypes[K] };
}

/** Validates or throws `WHARF_VALIDATION` with the issues as `details`. */
export function assertDocument<K extends DocumentKind>(kind: K, value: unknown): DocumentTypes[K] {
  const result = validateDocument(kind, value);
  if (result.ok) return result.value;
  const first = result.errors[0];
  const summary = first ? `${first.path || kind}: ${first.message}` : 'invalid';
  throw new WharfError('WHARF_VALIDATION', `invalid ${kind}: ${summary}`, { details: result.errors });
}

/** Parses JSON bytes from ZooKeeper and validates them; throws `WHARF_VALIDATION` on either failure. */
export function parseDocument<K extends DocumentKind>(kind: K, data: Buffer | string): DocumentTypes[K] {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch (err) {
    throw new WharfError('WHARF_VALIDATION', `invalid ${kind}: not JSON`, {
      cause: err,
      details: [{ path: '', message: 'must be JSON' }],
    });
  }
  return assertDocument(kind, value);
}

/** Serialises a document after validating it (validate on write). */
export function serializeDocument<K extends DocumentKind>(kind: K, value: DocumentTypes[K]): Buffer {
  return Buffer.from(JSON.stringify(assertDocument(kind, value)));
}

/** `/a/0/b` → `a[0].b`. */
export function toDottedPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}

function join(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

function formatError(e: ErrorObject): ValidationIssue {
  const path = toDottedPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: join(path, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties': {
      const prop = String(params.additionalProperty);
      if (path === 'resources') {
        return {
          path: join(path, prop),
          message: `unknown stack '${prop}' (known: ${STACK_KINDS.join(', ')})`,
        };
      }
      return { path: join(path, prop), message: 'is not allowed here' };
    }
    case 'pattern':
      return params.pattern === PRINTABLE_TEXT_PATTERN
        ? { path, message: 'must be printable text (no control characters) and not blank' }
        : { path, message: `must match ${String(params.pattern)}` };
    case 'maxProperties':
      return path === 'transient.strategy' || path.endsWith('.strategy')
        ? { path, message: 'must name exactly one strategy' }
        : { path, message: e.message ?? 'has too many properties' };
    case 'minProperties':
      return path.endsWith('strategy')
        ? { path, message: 'must name exactly one strategy' }
        : { path, message: e.message ?? 'has too few properties' };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/**
 * Turns ajv errors into issues: one per path (the first, most specific wins), and union noise
 * (`anyOf` summaries whose branches were already reported) dropped.
 */
function formatErrors(errors: ErrorObject[]): ValidationIssue[] {
  const seen = new Set<string>();
  const out: ValidationIssue[] = [];
  for (const e of errors) {
    if (e.keyword === 'anyOf' && errors.some((o) => o !== e && o.instancePath.startsWith(e.instancePath))) {
      if (errors.some((o) => o.keyword !== 'anyOf' && o.instancePath === e.instancePath)) continue;
    }
    const issue = formatError(e);
    if (seen.has(issue.path)) continue;
    seen.add(issue.path);
    out.push(issue);
    if (out.length >= MAX_REPORTED_ERRORS) break;
  }
  return out;
}
