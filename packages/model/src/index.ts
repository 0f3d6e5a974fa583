/**
 * @packageDocumentation
 * The vocabulary of Wharf: JSON Schemas and the TypeScript types derived from them for every
 * document Wharf stores or accepts, id validation, znode paths, coded errors.
 */
export { ERROR_CODES, WharfError, isWharfError } from './errors';
export type { WharfErrorCode, WharfErrorOptions } from './errors';
export {
  ID_PATTERN,
  INSTANCE_CONFIGURATION_ID_PATTERN,
  MAX_REF_ID_LENGTH,
  assertId,
  assertInstanceConfigurationId,
  instanceId,
  isValidId,
  newDeploymentId,
} from './ids';
export type { IdKind } from './ids';
export { ROOT_PATHS, paths } from './paths';
export { SNAPSHOTS_ROOT, isSnapshotRecord, newSnapshotId, snapshotRecordPath } from './snapshot-record';
export type { SnapshotRecord, SnapshotTrigger } from './snapshot-record';
export {
  MAX_NAME_LENGTH,
  MAX_PLAN_TIMEOUT_SECONDS,
  MAX_SIZE_MB,
  MAX_STRING_LENGTH,
  MAX_ZONE_COUNT,
  PRINTABLE_TEXT_PATTERN,
  SCHEMA_VERSION,
} from './schemas/common';
export { resourcesIssues } from './request-checks';
export {
  DeploymentCreateRequestSchema,
  DeploymentUpdateRequestSchema,
  STACK_KINDS,
  listResources,
  stackBlockOf,
  strategyOf,
} from './schemas/plan';
export type {
  ClusterPlan,
  DeploymentCreateRequest,
  DeploymentUpdateRequest,
  PlanConfiguration,
  ResourceRef,
  Resources,
  SnapshotSettings,
  StackBlock,
  StackKind,
  Strategy,
  TopologyElement,
  Transient,
} from './schemas/plan';
export { INSTANCE_STATES, STEP_STAGES, STEP_STATUSES } from './schemas/documents';
export { ScrapeTokenRecordSchema } from './schemas/monitoring';
export type { ScrapeTokenRecord } from './schemas/monitoring';
export type {
  AllocatorAdvertisement,
  ApiKeyRecord,
  Deployment,
  InstanceConfiguration,
  InstanceSpec,
  InstanceState,
  InstanceStatus,
  MemberEndpoint,
  Organization,
  PlanAttempt,
  PlanDocument,
  PlanMove,
  PlanRestore,
  PlanStopped,
  PlanStep,
  PlatformConfig,
  RouteEntry,
  RouteInstance,
  ServiceRegistration,
  StepLogEntry,
} from './schemas/documents';
export {
  HOST_ROLES,
  HOST_SERVICE_STATES,
  HostLiveSchema,
  HostRegistrationSchema,
  RUNNER_MODES,
  RolesTokenSchema,
  isHostRole,
} from './schemas/hosts';
export type {
  HostLive,
  HostRegistration,
  HostRole,
  HostService,
  RolesToken,
  RunnerMode,
} from './schemas/hosts';
export {
  assertDocument,
  parseDocument,
  schemaOf,
  serializeDocument,
  toDottedPath,
  validateDocument,
} from './validate';
export type { DocumentKind, DocumentTypes, ValidationIssue, ValidationResult } from './validate';
export {
  DEFAULT_INSTANCE_CONFIGURATIONS,
  FAILURE_TYPES,
  STEP_IDS,
  defaultInstanceConfigurationId,
} from './vocabulary';
export type { StepId } from './vocabulary';
export {
  AVAILABILITY_HOURS_KEPT,
  AvailabilitySchema,
  addProbes,
  availabilityPercent,
  hourOf,
  type Availability,
  type Probe,
} from './schemas/availability';
export {
  MeteringCursorSchema,
  MeteringDaySchema,
  addUsage,
  tickSlot,
  ticksToCount,
  type MeteredInstance,
  type MeteringCursor,
  type MeteringDay,
  type UsageLine,
  PricingSchema,
  type Pricing,
} from './schemas/metering';
export {
  EVENT_SEVERITIES,
  EVENT_TYPES,
  MAX_EVENT_MESSAGE_LENGTH,
  MAX_WEBHOOK_TARGETS,
  MAX_WEBHOOK_URL_LENGTH,
  DeadLetterSchema,
  DeliveryCursorSchema,
  EventRecordSchema,
  WebhookConfigSchema,
  eventNodeName,
  eventSeqOf,
  isEventType,
  newEvent,
  targetWants,
} from './schemas/events';
export type {
  DeadLetter,
  DeliveryCursor,
  EventInput,
  EventRecord,
  EventSeverity,
  EventType,
  WebhookConfig,
  WebhookTarget,
} from './schemas/events';
export {
  DEFAULT_LOG_TAIL,
  MAX_LOG_ANSWER_BYTES,
  MAX_LOG_TAIL,
  LogRequestSchema,
  boundLogText,
} from './schemas/instance-logs';
export type { LogRequest } from './schemas/instance-logs';
