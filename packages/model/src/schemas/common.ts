/** Shared schema pieces and the limits they enforce. */
import { Type } from '@sinclair/typebox';
import { ID_PATTERN, MAX_REF_ID_LENGTH } from '../ids';

/** Current `schema_version` of every stored document. */
export const SCHEMA_VERSION = 1;

/** Bounds every string so no document can carry megabytes (znodes should stay in KBs). */
export const MAX_STRING_LENGTH = 4096;
/** Display names are short. */
export const MAX_NAME_LENGTH = 256;
/**
 * Printable text, at least one non-space character: no control characters (C0/C1, which would
 * drive a terminal the CLI prints names to), no lone surrogates or private-use code points, no
 * line/paragraph separators and no bidirectional overrides (which make a name display as another).
 * ajv compiles patterns with the `u` flag, so `\p{...}` classes apply.
 */
export const PRINTABLE_TEXT_PATTERN =
  '^(?!\\s*$)[^\\p{Cc}\\p{Cs}\\p{Co}\\p{Zl}\\p{Zp}\\u202A-\\u202E\\u2066-\\u2069]*$';
/** Largest instance size in MB accepted (1 TiB): anything bigger is a typo. */
export const MAX_SIZE_MB = 1_048_576;
/** Zones one topology element may span. */
export const MAX_ZONE_COUNT = 16;
/** Topology elements per resource plan. */
export const MAX_TOPOLOGY_ELEMENTS = 16;
/** Resources of one stack per deployment. */
export const MAX_RESOURCES_PER_STACK = 8;
/** Keys in a free-form settings object. */
export const MAX_SETTINGS_KEYS = 64;
/** Longest plan timeout (1 day), in seconds. */
export const MAX_PLAN_TIMEOUT_SECONDS = 86_400;

/** A validated id (DNS label). */
export const Id = (description?: string) =>
  Type.String({ pattern: ID_PATTERN, maxLength: 63, ...(description ? { description } : {}) });
/** A ref_id: an id short enough to compose instance ids. */
export const RefId = () => Type.String({ pattern: ID_PATTERN, maxLength: MAX_REF_ID_LENGTH });
/** A name: 1 to `maxLength` characters of printable text ({@link PRINTABLE_TEXT_PATTERN}). */
export const Name = (maxLength = MAX_NAME_LENGTH) =>
  Type.String({ minLength: 1, maxLength, pattern: PRINTABLE_TEXT_PATTERN });
/** A bounded string. */
export const Str = (maxLength = MAX_STRING_LENGTH) => Type.String({ maxLength });
/** An ISO-8601 timestamp. */
export const Timestamp = () => Type.String({ format: 'date-time', maxLength: 64 });
/** A TCP port. */
export const Port = () => Type.Integer({ minimum: 1, maximum: 65535 });
/** Named ports, e.g. `{ client: 2379, peer: 2380 }`. */
export const Ports = () =>
  Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), Port(), { maxProperties: 8 });
/** Free-form settings values: scalars or short string lists. */
export const SettingValue = () =>
  Type.Union([
    Type.String({ maxLength: MAX_STRING_LENGTH }),
    Type.Number(),
    Type.Boolean(),
    Type.Array(Type.String({ maxLength: MAX_STRING_LENGTH }), { maxItems: 64 }),
  ]);
/** Free-form settings (`user_settings`). */
export const Settings = () =>
  Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,128}$' }), SettingValue(), {
    maxProperties: MAX_SETTINGS_KEYS,
  });
/** `schema_version` field. */
export const SchemaVersion = () => Type.Literal(SCHEMA_VERSION);
