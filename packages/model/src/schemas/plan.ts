/**
 * The deployment create/update request and plan, in ECE's shape (reference/ece.md §1) with stack
 * kinds as resource keys: `resources.<stack>[]{ref_id, plan{cluster_topology[], <stack>{version,
 * user_settings}, transient{strategy, plan_configuration}}}`.
 */
import { Type, type Static } from '@sinclair/typebox';
import {
  Id,
  MAX_PLAN_TIMEOUT_SECONDS,
  MAX_RESOURCES_PER_STACK,
  MAX_SIZE_MB,
  MAX_TOPOLOGY_ELEMENTS,
  MAX_ZONE_COUNT,
  Name,
  PRINTABLE_TEXT_PATTERN,
  RefId,
  Settings,
  Str,
} from './common';
import { INSTANCE_CONFIGURATION_ID_PATTERN } from '../ids';

/** Most scheduled snapshots a resource keeps: each is a full copy of its data. */
export const MAX_SNAPSHOT_RETENTION = 100;

/** Stack kinds Wharf knows; each is a key of `resources`. */
export const STACK_KINDS = ['etcd', 'http'] as const;
/** A stack kind. */
export type StackKind = (typeof STACK_KINDS)[number];

/** `size`: how much of a resource each instance gets, in MB. */
export const SizeSchema = Type.Object(
  {
    resource: Type.Union([Type.Literal('memory'), Type.Literal('storage')]),
    value: Type.Integer({ minimum: 1, maximum: MAX_SIZE_MB }),
  },
  { additionalProperties: false },
);

/** One element of `cluster_topology`: `zone_count` instances of one size and configuration. */
export const TopologyElementSchema = Type.Object(
  {
    id: Id('topology element id'),
    instance_configuration_id: Type.String({ pattern: INSTANCE_CONFIGURATION_ID_PATTERN }),
    size: SizeSchema,
    zone_count: Type.Integer({ minimum: 1, maximum: MAX_ZONE_COUNT }),
  },
  { additionalProperties: false },
);

/** `transient.strategy`: exactly one key. */
export const StrategySchema = Type.Object(
  {
    grow_and_shrink: Type.Optional(Type.Object({}, { additionalProperties: false })),
    rolling: Type.Optional(
      Type.Object(
        {
          group_by: Type.Optional(
            Type.Union([
              Type.Literal('__all__'),
              Type.Literal('__name__'),
              Type.Literal('logical_zone_name'),
            ]),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    rolling_grow_and_shrink: Type.Optional(Type.Object({}, { additionalProperties: false })),
    autodetect: Type.Optional(Type.Object({}, { additionalProperties: false })),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
);

/** `transient.plan_configuration`. */
export const PlanConfigurationSchema = Type.Object(
  {
    timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PLAN_TIMEOUT_SECONDS })),
    calm_wait_time: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
    /** Replace every instance even when its shape is unchanged (what `_restart` asks for). */
    reallocate_instances: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** `transient`: how to apply the plan (not part of the plan of record). */
export const TransientSchema = Type.Object(
  {
    strategy: Type.Optional(StrategySchema),
    plan_configuration: Type.Optional(PlanConfigurationSchema),
  },
  { additionalProperties: false },
);

/** The stack block of a plan (`etcd: {...}` or `http: {...}`). */
export const StackBlockSchema = Type.Object(
  {
    version: Type.String({ pattern: '^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$' }),
    user_settings: Type.Optional(Settings()),
  },
  { additionalProperties: false },
);

const planCommon = {
  cluster_topology: Type.Array(TopologyElementSchema, { minItems: 1, maxItems: MAX_TOPOLOGY_ELEMENTS }),
  transient: Type.Optional(TransientSchema),
};
/**
 * `settings.snapshot` of a resource (ECE's `settings.snapshot`): scheduled snapshots. `interval`
 * is minutes or hours (`30m`, `2h`; default 30 min), so never below a minute; `retention.snapshots`
 * scheduled snapshots are kept (older ones are deleted; manual ones never are).
 */
export const SnapshotSettingsSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    interval: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}[mh]$' })),
    retention: Type.Optional(
      Type.Object(
        { snapshots: Type.Integer({ minimum: 1, maximum: MAX_SNAPSHOT_RETENTION }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** `settings` of a resource (beside its plan: not part of what instances run). */
export const ResourceSettingsSchema = Type.Object(
  { snapshot: Type.Optional(SnapshotSettingsSchema) },
  { additionalProperties: false },
);

const resourceCommon = {
  ref_id: RefId(),
  region: Type.Optional(Str(64)),
  display_name: Type.Optional(Name()),
  settings: Type.Optional(ResourceSettingsSchema),
};

/** An `etcd` resource: topology, the `etcd` stack block, transient. */
export const EtcdResourceSchema = Type.Object(
  {
    ...resourceCommon,
    plan: Type.Object({ ...planCommon, etcd: StackBlockSchema }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
/** An `http` resource: topology, the `http` stack block, transient. */
export const HttpResourceSchema = Type.Object(
  {
    ...resourceCommon,
    plan: Type.Object({ ...planCommon, http: StackBlockSchema }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

/** `resources`: per stack kind, a list of resources; unknown stacks are rejected. */
export const ResourcesSchema = Type.Object(
  {
    etcd: Type.Optional(Type.Array(EtcdResourceSchema, { maxItems: MAX_RESOURCES_PER_STACK })),
    http: Type.Optional(Type.Array(HttpResourceSchema, { maxItems: MAX_RESOURCES_PER_STACK })),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** `metadata`: tags. */
export const DeploymentMetadataSchema = Type.Object(
  {
    tags: Type.Optional(
      Type.Array(
        Type.Object(
          { key: Name(128), value: Type.String({ maxLength: 256, pattern: PRINTABLE_TEXT_PATTERN }) },
          {
            additionalProperties: false,
          },
        ),
        {
          maxItems: 32,
        },
      ),
    ),
  },
  { additionalProperties: false },
);

/** `POST /deployments` body. */
export const DeploymentCreateRequestSchema = Type.Object(
  {
    name: Name(),
    resources: ResourcesSchema,
    metadata: Type.Optional(DeploymentMetadataSchema),
  },
  { additionalProperties: false },
);

/** `PUT /deployments/:id` body. */
export const DeploymentUpdateRequestSchema = Type.Object(
  {
    name: Type.Optional(Name()),
    resources: ResourcesSchema,
    metadata: Type.Optional(DeploymentMetadataSchema),
    prune_orphans: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** A deployment create request. */
export type DeploymentCreateRequest = Static<typeof DeploymentCreateRequestSchema>;
/** A deployment update request. */
export type DeploymentUpdateRequest = Static<typeof DeploymentUpdateRequestSchema>;
/** `resources`. */
export type Resources = Static<typeof ResourcesSchema>;
/** One topology element. */
export type TopologyElement = Static<typeof TopologyElementSchema>;
/** A strategy. */
export type Strategy = Static<typeof StrategySchema>;
/** Plan configuration. */
export type PlanConfiguration = Static<typeof PlanConfigurationSchema>;
/** Transient part of a plan. */
export type Transient = Static<typeof TransientSchema>;
/** A stack block. */
export type StackBlock = Static<typeof StackBlockSchema>;
/** `settings.snapshot` of a resource. */
export type SnapshotSettings = Static<typeof SnapshotSettingsSchema>;

/**
 * A resource's plan, stack-agnostic: the stack block is found under the resource's kind.
 * Use {@link stackBlockOf} to read it.
 */
export interface ClusterPlan {
  cluster_topology: TopologyElement[];
  transient?: Transient;
  [stack: string]: unknown;
}

/** One resource of any stack, with its kind made explicit. */
export interface ResourceRef {
  kind: StackKind;
  ref_id: string;
  region?: string;
  display_name?: string;
  settings?: { snapshot?: SnapshotSettings };
  plan: ClusterPlan;
}

/** Flattens `resources` into a list tagged with kinds, in a stable order. */
export function listResources(resources: Resources): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const kind of STACK_KINDS) {
    for (const r of resources[kind] ?? []) out.push({ kind, ...(r as Omit<ResourceRef, 'kind'>) });
  }
  return out;
}

/** The stack block (`version`, `user_settings`) of a resource plan. */
export function stackBlockOf(resource: ResourceRef): StackBlock {
  return resource.plan[resource.kind] as StackBlock;
}

/** The strategy name of a plan (`grow_and_shrink` when none is given, as in ECE). */
export function strategyOf(plan: ClusterPlan): keyof Strategy {
  const strategy = plan.transient?.strategy;
  const key = strategy ? (Object.keys(strategy)[0] as keyof Strategy | undefined) : undefined;
  return key ?? 'grow_and_shrink';
}
