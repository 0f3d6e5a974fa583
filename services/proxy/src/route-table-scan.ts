/**
 * Reading a valid route document without `JSON.parse`: a first load decodes every route, and at
 * 10,000 routes `JSON.parse` plus the shape check of the parsed value were ~25 of a ~35 CPU ms
 * build. A route document has two small fixed shapes (an entry and its instances), so this reads
 * the text once, compares each key in place, checks each value as it reads it (ids, bounds, the
 * timestamp) and builds each object in one literal.
 *
 * Its contract is narrow and tested as such (`route-table-scan.test.ts`): for any text it returns
 * either `undefined` or `JSON.parse(text)` when that is a route entry `isRouteEntry` accepts (so one
 * the schema accepts). Anything outside the common form (an escape in a string, a number that is not
 * a plain integer, `null`, an unknown or repeated key, an invalid value) gives `undefined`, and the
 * caller takes the generic path (`JSON.parse`, `isRouteEntry`, the model's decoder for the verdict
 * and the message): a bad document is refused exactly as before, only later.
 */
import { MAX_REF_ID_LENGTH, SCHEMA_VERSION, type RouteEntry } from '@wharf/model';
import {
  MAX_HOST_LENGTH,
  MAX_INSTANCES,
  MAX_PORT,
  MAX_TIMESTAMP_LENGTH,
  isUtcTimestamp,
} from './route-table-checks';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BACKSLASH = 0x5c;
const HYPHEN = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_A = 0x61;
const LOWER_Z = 0x7a;
/** Below this a character must be escaped in JSON (`JSON.parse` throws on it raw). */
const FIRST_PLAIN_CHAR = 0x20;
/**
 * Longest integer read here: 15 digits is always a safe integer, so the value is exact and equal to
 * `JSON.parse`'s; a longer one (never valid in a route: ports ≤ 65535) takes the generic path.
 */
const MAX_INTEGER_DIGITS = 15;

/** Longest id (`ID_PATTERN`: one character, or two plus at most 61 between). */
const MAX_ID_LENGTH = 63;

/** Entry keys, each with its closing quote so a match is one `startsWith`. Index = bit in `seen`. */
const ENTRY_KEYS = ['schema_version"', 'deployment_id"', 'instances"', 'updated"', 'shutdown"', 'restoring"'];
const INSTANCE_KEYS = ['instance_id"', 'allocator_id"', 'ref_id"', 'zone"', 'host"', 'port"', 'healthy"'];
const ALL_INSTANCE_KEYS = (1 << INSTANCE_KEYS.length) - 1;
/** Bits of the entry keys `schema_version`, `deployment_id`, `instances`, `updated`. */
const REQUIRED_ENTRY_KEYS = 0b1111;

type ScannedInstance = RouteEntry['instances'][number];

/** `JSON.parse(text)` when it is a valid route entry in the common subset, else `undefined`. */
export function scanRouteDocument(text: string): RouteEntry | undefined {
  const scanner = new Scanner(text);
  const entry = scanner.entry();
  return entry !== undefined && scanner.atEnd() ? entry : undefined;
}

/** A cursor over one document; every method returns `undefined` (or false/-1) on anything unusual. */
class Scanner {
  private pos = 0;
  /** Set when a value could not be read (a value's reader returns `undefined` then). */
  private failed = false;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    this.skipSpace();
    return this.pos === this.text.length;
  }

  entry(): RouteEntry | undefined {
    let deploymentId: string | undefined, updated: string | undefined;
    let instances: ScannedInstance[] | undefined;
    let shutdown: boolean | undefined, restoring: boolean | undefined;
    let seen = 0;
    if (!this.take(OPEN_BRACE)) return undefined;
    for (let more = this.first(CLOSE_BRACE); more; more = this.next(CLOSE_BRACE)) {
      const key = this.key(ENTRY_KEYS);
      if (key < 0 || (seen & (1 << key)) !== 0) return undefined;
      seen |= 1 << key;
      if (key === 0)
        this.integer(SCHEMA_VERSION, SCHEMA_VERSION); // the one value it may have
      else if (key === 1) deploymentId = this.id(MAX_ID_LENGTH);
      else if (key === 2) instances = this.instances();
      else if (key === 3) updated = this.timestamp();
      else if (key === 4) shutdown = this.boolean();
      else restoring = this.boolean();
      if (this.failed) return undefined;
    }
    if (this.failed || (seen & REQUIRED_ENTRY_KEYS) !== REQUIRED_ENTRY_KEYS) return undefined;
    const entry: { -readonly [K in keyof RouteEntry]: RouteEntry[K] } = {
      schema_version: SCHEMA_VERSION,
      deployment_id: deploymentId!,
      instances: instances!,
      updated: updated!,
    };
    if (shutdown !== undefined) entry.shutdown = shutdown;
    if (restoring !== undefined) entry.restoring = restoring;
    return entry;
  }

  private instances(): ScannedInstance[] | undefined {
    const out: ScannedInstance[] = [];
    if (!this.take(OPEN_BRACKET)) return this.fail();
    for (let more = this.first(CLOSE_BRACKET); more; more = this.next(CLOSE_BRACKET)) {
      const instance = this.instance();
      if (instance === undefined || out.length === MAX_INSTANCES) return this.fail();
      out.push(instance);
    }
    return this.failed ? undefined : out;
  }

  private instance(): ScannedInstance | undefined {
    let instanceId: string | undefined, allocatorId: string | undefined, refId: string | undefined;
    let zone: string | undefined, host: string | undefined;
    let port: number | undefined, healthy: boolean | undefined;
    let seen = 0;
    if (!this.take(OPEN_BRACE)) return undefined;
    for (let more = this.first(CLOSE_BRACE); more; more = this.next(CLOSE_BRACE)) {
      const key = this.key(INSTANCE_KEYS);
      if (key < 0 || (seen & (1 << key)) !== 0) return undefined;
      seen |= 1 << key;
      if (key === 0) instanceId = this.id(MAX_ID_LENGTH);
      else if (key === 1) allocatorId = this.id(MAX_ID_LENGTH);
      else if (key === 2) refId = this.id(MAX_REF_ID_LENGTH);
      else if (key === 3) zone = this.id(MAX_ID_LENGTH);
      else if (key === 4) host = this.string(MAX_HOST_LENGTH);
      else if (key === 5) port = this.integer(1, MAX_PORT);
      else healthy = this.boolean();
      if (this.failed) return undefined;
    }
    // A missing key is the schema's to refuse, with its message: the generic path.
    if (this.failed || seen !== ALL_INSTANCE_KEYS) return undefined;
    return {
      instance_id: instanceId!,
      allocator_id: allocatorId!,
      ref_id: refId!,
      zone: zone!,
      host: host!,
      port: port!,
      healthy: healthy!,
    };
  }

  /** After `{` or `[`: true when a member follows, false when `close` ends it at once. */
  private first(close: number): boolean {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== close) return true;
    this.pos += 1;
    return false;
  }

  /** After a member: true on `,`, false on `close`; anything else fails. */
  private next(close: number): boolean {
    this.skipSpace();
    const c = this.text.charCodeAt(this.pos++);
    if (c === COMMA) return true;
    if (c !== close) this.failed = true;
    return false;
  }

  /** The index in `keys` of the quoted key here, consumed with its `:`; -1 when not one of them. */
  private key(keys: readonly string[]): number {
    if (!this.take(QUOTE)) return -1;
    const { text, pos } = this;
    // The first two characters tell every key of a shape apart: one `startsWith` per key.
    const c0 = text.charCodeAt(pos);
    const c1 = text.charCodeAt(pos + 1);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key.charCodeAt(0) === c0 && key.charCodeAt(1) === c1 && text.startsWith(key, pos)) {
        this.pos += key.length;
        return this.take(COLON) ? i : -1;
      }
    }
    return -1;
  }

  /** A string of at most `max` characters without escapes (those take the generic path). */
  private string(max: number): string | undefined {
    if (!this.take(QUOTE)) return this.fail();
    const { text } = this;
    const start = this.pos;
    const end = Math.min(text.length, start + max + 1);
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return text.slice(start, i);
      }
      if (c === BACKSLASH || c < FIRST_PLAIN_CHAR) break;
    }
    return this.fail();
  }

  /**
   * A valid id of at most `max` characters (`ID_PATTERN` in `@wharf/model`: lowercase letters,
   * digits and inner hyphens), read in place; the property test holds it to `isValidId`.
   */
  private id(max: number): string | undefined {
    if (!this.take(QUOTE)) return this.fail();
    const { text } = this;
    const start = this.pos;
    const end = Math.min(text.length, start + max + 1);
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if ((c >= LOWER_A && c <= LOWER_Z) || (c >= ZERO && c <= NINE)) continue;
      if (c === HYPHEN && i !== start) continue;
      if (c !== QUOTE || i === start || text.charCodeAt(i - 1) === HYPHEN) break;
      this.pos = i + 1;
      return text.slice(start, i);
    }
    return this.fail();
  }

  private timestamp(): string | undefined {
    const value = this.string(MAX_TIMESTAMP_LENGTH);
    return value !== undefined && isUtcTimestamp(value) ? value : this.fail();
  }

  /** A plain integer in [min, max]: `0` or a non-zero digit then digits (no sign, fraction, exponent). */
  private integer(min: number, max: number): number | undefined {
    this.skipSpace();
    const { text } = this;
    const start = this.pos;
    let n = 0;
    let i = start;
    for (; i < text.length && i - start <= MAX_INTEGER_DIGITS; i++) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) break;
      n = n * 10 + (c - ZERO);
    }
    const digits = i - start;
    // A leading zero (`01`) or a fraction/exponent after the digits: `next()` refuses what follows.
    if (digits === 0 || digits > MAX_INTEGER_DIGITS || (digits > 1 && text.charCodeAt(start) === ZERO))
      return this.fail();
    if (n < min || n > max) return this.fail();
    this.pos = i;
    return n;
  }

  private boolean(): boolean | undefined {
    this.skipSpace();
    if (this.text.startsWith('true', this.pos)) {
      this.pos += 4;
      return true;
    }
    if (this.text.startsWith('false', this.pos)) {
      this.pos += 5;
      return false;
    }
    return this.fail();
  }

  /** Consumes `code` after optional whitespace. */
  private take(code: number): boolean {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== code) return false;
    this.pos += 1;
    return true;
  }

  /** JSON whitespace (RFC 8259): space, tab, line feed, carriage return. */
  private skipSpace(): void {
    const { text } = this;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos += 1;
    }
  }

  private fail(): undefined {
    this.failed = true;
    return undefined;
  }
}
