/** Where an installation keeps deployment snapshots (`/platform/config` `snapshot_repository`). */
import { Type } from '@sinclair/typebox';

/** A directory every api and allocator host shares; other kinds (S3-compatible) can join later. */
export const SnapshotRepositorySchema = Type.Object(
  { type: Type.Literal('fs'), path: Type.String({ pattern: '^/', minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
