/**
 * Parsers for option and environment values. Each throws `WHARF_VALIDATION` naming the option, so
 * a bad flag or variable is reported once, at the boundary, before anything starts.
 */
import { WharfError, isValidId } from '@wharf/model';

/** Highest TCP port. */
export const MAX_PORT = 65_535;

/** A `WHARF_VALIDATION` error about one option. */
export function invalidOption(name: string, message: string): WharfError {
  return new WharfError('WHARF_VALIDATION', `${name}: ${message}`, {
    details: [{ path: name, message }],
  });
}

/** An integer within [min, max]. */
export function parseInteger(name: string, raw: string, min: number, max: number): number {
  const text = raw.trim();
  if (!/^-?\d+$/.test(text)) throw invalidOption(name, `expected an integer, got ${JSON.stringify(raw)}`);
  const value = Number(text);
  if (value < min || value > max) {
    throw invalidOption(name, `expected an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** A TCP port (1–65535). */
export function parsePort(name: string, raw: string): number {
  return parseInteger(name, raw, 1, MAX_PORT);
}

/** A comma-separated, non-empty list of distinct ports (`9200,9201`). */
export function parsePortList(name: string, raw: string): number[] {
  const ports = splitList(raw).map((part) => parsePort(name, part));
  if (ports.length === 0) throw invalidOption(name, 'expected at least one port');
  if (new Set(ports).size !== ports.length) throw invalidOption(name, 'ports must be distinct');
  return ports;
}

/** A comma-separated, non-empty list of distinct ids (zones). */
export function parseIdList(name: string, raw: string): string[] {
  const ids = splitList(raw);
  if (ids.length === 0) throw invalidOption(name, 'expected at least one value');
  for (const id of ids) {
    if (!isValidId(id)) throw invalidOption(name, `${JSON.stringify(id)} is not a valid id`);
  }
  if (new Set(ids).size !== ids.length) throw invalidOption(name, 'values must be distinct');
  return ids;
}

/** One `host:port` of a ZooKeeper connect string. */
export interface HostPort {
  host: string;
  port: number;
}

/** A ZooKeeper connect string `host:port[,host:port…]` (no chroot suffix: that is WHARF_ZK_CHROOT). */
export function parseConnectString(name: string, raw: string): HostPort[] {
  const parts = splitList(raw);
  if (parts.length === 0) throw invalidOption(name, 'expected host:port[,host:port…]');
  return parts.map((part) => {
    const match = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d+)$/.exec(part);
    if (!match) throw invalidOption(name, `${JSON.stringify(part)} is not host:port`);
    return { host: match[1]!, port: parsePort(name, match[2]!) };
  });
}

/** True for addresses that name this host's loopback interface. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}
