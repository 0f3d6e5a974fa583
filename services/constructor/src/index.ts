/**
 * @packageDocumentation
 * The scheduler: turns pending plans into steps, places instances on allocators, drives them to
 * running, routes them, rolls back on failure, and resumes after a leader change.
 */
export { createConstructor } from './constructor';
export type { Constructor, ConstructorState } from './constructor';
export { DEFAULT_TIMING, compileConstructorOptions } from './options';
export type { CompiledConstructorOptions, ConstructorOptions, ConstructorTiming } from './options';
export { SYSTEM_CLOCK } from './clock';
export type { ConstructorClock } from './clock';
export type {
  ConstructorStack,
  JoinContext,
  LeaveContext,
  MembershipContext,
  StackResolver,
} from './stack-port';
export { createConstructorMetrics } from './metrics';
export type { ConstructorMetrics } from './metrics';
export { desiredInstances } from './core/desired';
export type { DesiredInstance } from './core/desired';
export { SUPPORTED_STRATEGIES, planChanges, stepsFor } from './core/changes';
export type { ChangeSet, InstanceRef, NewInstance, PlanChangesResult, ResourceChanges } from './core/changes';
export { place } from './core/place';
export type {
  AllocatorView,
  Placement,
  PlacementConstraints,
  PlacementRequest,
  PlaceResult,
} from './core/place';
export { buildRoute, isRoutable, syncRouteHealth } from './core/route';
export type { RouteMember, RoutePortOf } from './core/route';
export { DEFAULT_PLAN_TIMEOUT_SECONDS, planTimeoutMs } from './core/attempt-state';
export { failureTypeOf } from './core/failure';
export { WebhookNotifier, DEFAULT_POST_TIMEOUT_MS, eventBody } from './events/notifier';
export type { NotifierOptions } from './events/notifier';
export { DEFAULT_DELIVERY_POLICY, retryDelayMs } from './events/delivery-plan';
export type { DeliveryPolicy } from './events/delivery-plan';
export {
  DEFAULT_SIGNATURE_TOLERANCE_S,
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signPayload,
  verifySignature,
} from './events/signature';
