/** Blocks of a stored plan document (`documents.ts` `PlanDocumentSchema`) besides its resources. */
import { Type, type Static } from '@sinclair/typebox';
import { Id } from './common';

/**
 * `source.action` of a plan: who asked for it. `recover`: written by the constructor leader after
 * an allocator was lost; `move`: a move/vacate request; `shutdown`, `start`, `stop-instances`,
 * `start-instances`: the deployment and instance actions (a new `stopped` block, nothing else);
 * `restore`: `_restore` of one of the deployment's snapshots in place (a `restore` block).
 */
export const PLAN_ACTIONS = [
  'create',
  'update',
  'delete',
  'restart',
  'recover',
  'move',
  'shutdown',
  'start',
  'stop-instances',
  'start-instances',
  'restore',
] as const;

/** Most instances one move or stop names (a deployment has at most a few dozen). */
const MAX_LISTED_INSTANCES = 256;

/** `move` of a plan: instances to replace elsewhere, and where they may go. */
export const PlanMoveSchema = Type.Object(
  {
    instances: Type.Array(Id(), { minItems: 1, maxItems: MAX_LISTED_INSTANCES }),
    allocators: Type.Optional(Type.Array(Id(), { minItems: 1, maxItems: MAX_LISTED_INSTANCES })),
  },
  { additionalProperties: false },
);

/** `stopped` of a plan: every instance (a shutdown) and/or the listed ones. */
export const PlanStoppedSchema = Type.Object(
  {
    all: Type.Optional(Type.Boolean()),
    instances: Type.Optional(Type.Array(Id(), { maxItems: MAX_LISTED_INSTANCES })),
  },
  { additionalProperties: false },
);

/**
 * `restore` of a plan (`_restore`): the deployment's data is replaced by that of one of its own
 * snapshots, checked by the api before the plan was written and again by the constructor.
 */
export const PlanRestoreSchema = Type.Object(
  {
    snapshot: Id(),
    /** Hex SHA-256 of the snapshot file, from its record: the file must still match it. */
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    /** When the snapshot was taken (the step log says how old the restored data is). */
    created: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** The `move` block of a plan. */
export type PlanMove = Static<typeof PlanMoveSchema>;
/** The `stopped` block of a plan. */
export type PlanStopped = Static<typeof PlanStoppedSchema>;
/** The `restore` block of a plan. */
export type PlanRestore = Static<typeof PlanRestoreSchema>;
