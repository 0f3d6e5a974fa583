/**
 * `/log-requests/<allocator>/req-<seq>`: how the api reads an instance's log without calling the
 * allocator (services coordinate only through ZooKeeper). The api creates an EPHEMERAL_SEQUENTIAL
 * request (it vanishes with the api's session, so an api that dies leaves nothing behind); the
 * allocator watching its request list answers by setting the same znode with the log's tail
 * (bounded to {@link MAX_LOG_ANSWER_BYTES}); the api reads the answer and deletes the request.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Id, SchemaVersion, Str, Timestamp } from './common';

/** Lines returned when `tail` is not given. */
export const DEFAULT_LOG_TAIL = 100;
/** Most lines one request may ask for. */
export const MAX_LOG_TAIL = 10_000;
/**
 * Most bytes of log text in an answer (512 KiB): half of ZooKeeper's default 1 MiB jute.maxbuffer,
 * leaving room for the JSON escaping of control characters. Longer tails are cut from the front.
 */
export const MAX_LOG_ANSWER_BYTES = 512 * 1024;

/** A log request and, once answered, its answer. */
export const LogRequestSchema = Type.Object(
  {
    schema_version: SchemaVersion(),
    deployment_id: Id(),
    instance_id: Id(),
    tail: Type.Integer({ minimum: 1, maximum: MAX_LOG_TAIL }),
    requested: Timestamp(),
    answer: Type.Optional(
      Type.Object(
        {
          answered: Timestamp(),
          /** The log text, last line last; absent with `error`. */
          text: Type.Optional(Type.String({ maxLength: MAX_LOG_ANSWER_BYTES })),
          /** True when lines were dropped from the front to fit {@link MAX_LOG_ANSWER_BYTES}. */
          truncated: Type.Boolean(),
          /** Why there is no log (`unknown instance`, a runtime failure). */
          error: Type.Optional(Str(512)),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** A log request. */
export type LogRequest = Static<typeof LogRequestSchema>;

/** `text` cut from the front, at a line start, to at most `maxBytes` UTF-8 bytes. Pure. */
export function boundLogText(
  text: string,
  maxBytes = MAX_LOG_ANSWER_BYTES,
): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return { text, truncated: false };
  const bytes = Buffer.from(text, 'utf8');
  let cut = bytes.subarray(bytes.length - maxBytes).toString('utf8');
  // A multi-byte character split at the cut decodes to U+FFFD; the first line is a fragment anyway.
  const newline = cut.indexOf('\n');
  cut = newline === -1 ? '' : cut.slice(newline + 1);
  return { text: cut, truncated: true };
}
