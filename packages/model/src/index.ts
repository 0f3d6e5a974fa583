/**
 * @packageDocumentation
 * The vocabulary of Wharf: JSON Schemas and the TypeScript types derived from them for every
 * document Wharf stores or accepts, id validation, znode paths, coded errors.
 */
export { ERROR_CODES, WharfError, type WharfErrorCode, type WharfErrorOptions, isWharfError } from './errors';
export {
  ID_PATTERN,
  INSTANCE_CONFIGURATION_ID_PATTERN,
  type IdKind,
  MAX_REF_ID_LENGTH,
  assertId,
  assertInstanceConfigurationId,
  instanceId,
  isValidId,
  newDeploymentId,
} from './ids';
export { ROOT_PATHS, paths } from './paths';
export {
  SNAPSHOTS_ROOT,
  isSnapshotRecord,
  newSnapshotId,
  snapshotRecordPath,
  type SnapshotRecord,
  type SnapshotTrigger,
} from './snapshot-record';
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
  type ClusterPlan,
  type DeploymentCreateRequest,
  DeploymentCreateRequestSchema,
  type DeploymentUpdateRequest,
  DeploymentUpdateRequestSchema,
  type PlanConfiguration,
  type ResourceRef,
  type Resources,
  STACK_KINDS,
  type SnapshotSettings,
  type StackBlock,
  type StackKind,
  type Strategy,
  type TopologyElement,
  type Transient,
  listResources,
  stackBlockOf,
  strategyOf,
} from './schemas/plan';
export {
  type AllocatorAdvertisement,
  type ApiKeyRecord,
  type Deployment,
  INSTANCE_STATES,
  type InstanceConfiguration,
  type InstanceSpec,
  type InstanceState,
  type InstanceStatus,
  type MemberEndpoint,
  type Organization,
  type PlanAttempt,
  type PlanDocument,
  type PlanMove,
  type PlanRestore,
  type PlanStep,
  type PlanStopped,
  type PlatformConfig,
  type RouteEntry,
  type RouteInstance,
  STEP_STAGES,
  STEP_STATUSES,
  type ServiceRegistration,
  type StepLogEntry,
} from './schemas/documents';
export { type ScrapeTokenRecord, ScrapeTokenRecordSchema } from './schemas/monitoring';
export {
  HOST_ROLES,
  HOST_SERVICE_STATES,
  type HostLive,
  HostLiveSchema,
  type HostRegistration,
  HostRegistrationSchema,
  type HostRole,
  type HostService,
  RUNNER_MODES,
  type RolesToken,
  RolesTokenSchema,
  type RunnerMode,
  isHostRole,
} from './schemas/hosts';
export {
  type DocumentKind,
  type DocumentTypes,
  type ValidationIssue,
  type ValidationResult,
  assertDocument,
  parseDocument,
  schemaOf,
  serializeDocument,
  toDottedPath,
  validateDocument,
} from './validate';
export {
  type DeploymentTemplate,
  type DeploymentTemplateRequest,
  type InstanceConfigurationRequest,
  type TemplatedCreateRequest,
} from './schemas/catalog';
export {
  DEFAULT_DEPLOYMENT_TEMPLATES,
  DEFAULT_INSTANCE_CONFIGURATIONS,
  FAILURE_TYPES,
  STEP_IDS,
  type StepId,
  defaultInstanceConfigurationId,
} from './vocabulary';
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
  cpuShare,
  instanceCpuMillis,
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
  type DeadLetter,
  DeadLetterSchema,
  type DeliveryCursor,
  DeliveryCursorSchema,
  EVENT_SEVERITIES,
  EVENT_TYPES,
  type EventInput,
  type EventRecord,
  EventRecordSchema,
  type EventSeverity,
  type EventType,
  MAX_EVENT_MESSAGE_LENGTH,
  MAX_WEBHOOK_TARGETS,
  MAX_WEBHOOK_URL_LENGTH,
  type WebhookConfig,
  WebhookConfigSchema,
  type WebhookTarget,
  eventNodeName,
  eventSeqOf,
  isEventType,
  newEvent,
  targetWants,
} from './schemas/events';
export {
  DEFAULT_LOG_TAIL,
  type LogRequest,
  LogRequestSchema,
  MAX_LOG_ANSWER_BYTES,
  MAX_LOG_TAIL,
  boundLogText,
} from './schemas/instance-logs';
export {
  type ParsedRolesToken,
  ROLES_TOKEN_PREFIX,
  type RolesTokenUse,
  checkRolesToken,
  parseRolesToken,
  rolesTokenRefused,
  verifyTokenSecret,
} from './roles-token';
export {
  type DirectorCa,
  DirectorCaSchema,
  type DirectorStatus,
  DirectorStatusSchema,
  ZK_SERVER_MODES,
  type ZkServerHealth,
  ZkServerHealthSchema,
  type ZkServerMode,
} from './schemas/director';
