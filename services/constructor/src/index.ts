/**
 * @packageDocumentation
 * The scheduler: turns pending plans into steps, places instances on allocators, drives them to
 * running, routes them, rolls back on failure, and resumes after a leader change.
 */
export { type Constructor, type ConstructorState, createConstructor } from './constructor';
export {
  type CompiledConstructorOptions,
  type ConstructorOptions,
  type ConstructorTiming,
  DEFAULT_TIMING,
  compileConstructorOptions,
} from './options';
export { type ConstructorClock, SYSTEM_CLOCK } from './clock';
export type {
  ConstructorStack,
  JoinContext,
  LeaveContext,
  MembershipContext,
  StackResolver,
} from './stack-port';
export { type ConstructorMetrics, createConstructorMetrics } from './metrics';
export { type DesiredInstance, desiredInstances } from './core/desired';
export {
  type ChangeSet,
  type InstanceRef,
  type NewInstance,
  type PlanChangesResult,
  type ResourceChanges,
  SUPPORTED_STRATEGIES,
  planChanges,
  stepsFor,
} from './core/changes';
export {
  type AllocatorView,
  type PlaceResult,
  type Placement,
  type PlacementConstraints,
  type PlacementRequest,
  place,
} from './core/place';
export { type RouteMember, type RoutePortOf, buildRoute, isRoutable, syncRouteHealth } from './core/route';
export { DEFAULT_PLAN_TIMEOUT_SECONDS, planTimeoutMs } from './core/attempt-state';
export { failureTypeOf } from './core/failure';
export { DEFAULT_POST_TIMEOUT_MS, type NotifierOptions, WebhookNotifier, eventBody } from './events/notifier';
export { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy, retryDelayMs } from './events/delivery-plan';
export {
  DEFAULT_SIGNATURE_TOLERANCE_S,
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signPayload,
  verifySignature,
} from './events/signature';
