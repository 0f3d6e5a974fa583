/**
 * `GET /deployments/{id}/instances/{instance}/logs?tail=N`: the last N lines (default 100, at most
 * 10,000, and at most 512 KiB) of an instance's combined stdout/stderr, read by the allocator that
 * runs it (`zk-logs.ts`). Organization scoping is the deployment routes' (404 for another
 * organization's deployment); viewers may read logs.
 */
import { DEFAULT_LOG_TAIL, MAX_LOG_TAIL, WharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type Clock } from '../clock';
import { intParam } from '../http/query';
import { type ServiceResponse } from '../http/send';
import { type LogStore } from './zk-logs';

/** How long the api waits for an allocator: a live one answers in milliseconds. */
export const LOG_ANSWER_TIMEOUT_MS = 5_000;

/** Dependencies of a {@link LogService}. */
export interface LogServiceDeps {
  logs: LogStore;
  clock: Clock;
  logger: Logger;
  /** Whether the deployment exists (after scoping); false: 404. */
  deploymentExists(id: string): Promise<boolean>;
  timeoutMs?: number;
}

export class LogService {
  constructor(private readonly deps: LogServiceDeps) {}

  async tail(
    deploymentId: string,
    instanceId: string,
    query: Record<string, unknown>,
  ): Promise<ServiceResponse> {
    const tail = intParam(query, 'tail', 1, MAX_LOG_TAIL, DEFAULT_LOG_TAIL);
    if (!(await this.deps.deploymentExists(deploymentId)))
      throw new WharfError('WHARF_NOT_FOUND', `deployment ${deploymentId} not found`, {
        details: [{ path: 'id', message: 'no such deployment' }],
      });
    const allocator = await this.deps.logs.locate(deploymentId, instanceId);
    if (allocator === undefined)
      throw new WharfError(
        'WHARF_NOT_FOUND',
        `instance ${instanceId} of deployment ${deploymentId} not found`,
        {
          details: [{ path: 'instance', message: 'no such instance placed' }],
        },
      );
    const answer = await this.deps.logs.request(
      allocator,
      {
        schema_version: 1,
        deployment_id: deploymentId,
        instance_id: instanceId,
        tail,
        requested: new Date(this.deps.clock.now()).toISOString(),
      },
      this.deps.timeoutMs ?? LOG_ANSWER_TIMEOUT_MS,
    );
    if (answer === undefined)
      throw new WharfError('WHARF_UNAVAILABLE', `allocator ${allocator} did not answer the log request`, {
        details: [{ path: 'allocator', message: 'no answer in time; is it running?' }],
      });
    if (answer.error !== undefined)
      throw new WharfError(
        'WHARF_UNAVAILABLE',
        `allocator ${allocator} could not read the log: ${answer.error}`,
        {
          details: [{ path: 'instance', message: answer.error }],
        },
      );
    const text = answer.text ?? '';
    const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    return {
      status: 200,
      body: {
        deployment_id: deploymentId,
        instance_id: instanceId,
        allocator_id: allocator,
        tail,
        truncated: answer.truncated,
        lines,
      },
    };
  }
}
