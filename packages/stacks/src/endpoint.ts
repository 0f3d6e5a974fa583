/** Addressing a member: its named ports and URLs. */
import { WharfError } from '@wharf/model';
import { baseUrl } from './http-client';
import { type MemberEndpoint } from './types';

/** The host port named `name` of `endpoint`; `WHARF_STACK_ERROR` when it has none. */
export function portOf(endpoint: Pick<MemberEndpoint, 'name' | 'ports'>, name: string): number {
  const port = endpoint.ports[name];
  if (port === undefined) {
    throw new WharfError('WHARF_STACK_ERROR', `member has no ${name} port`, {
      details: { member: endpoint.name, port: name },
    });
  }
  return port;
}

/** `http://host:<port named name>` of `endpoint`. */
export function urlOf(endpoint: MemberEndpoint, name: string): string {
  return baseUrl(endpoint.host, portOf(endpoint, name));
}

/** Throws `WHARF_STACK_ERROR` unless the pack supports `version`. */
export function assertVersion(kind: string, versions: readonly string[], version: string): void {
  if (!versions.includes(version)) {
    throw new WharfError('WHARF_STACK_ERROR', `${kind} version ${JSON.stringify(version)} is not supported`, {
      details: { kind, version, supported: versions },
    });
  }
}
