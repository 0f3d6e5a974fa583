/**
 * `wharf allocator vacate <id>`: moves every instance off an allocator
 * (`POST /platform/allocators/:id/instances/_move`): the api writes one move plan per deployment
 * and the constructor applies each as an ordinary attempt (new instances first, then the old ones
 * removed). `--track` follows every attempt to its end, then checks the allocator is empty.
 */
import { WharfError, assertId } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { parseInteger } from '../config/values';
import { type CliContext } from '../context';
import { attemptsOf, trackPlan } from '../track/track-plan';

/** `allocator vacate` options. */
export interface VacateOptions {
  /** Comma-separated allocator ids the new instances may go to. */
  target?: string;
  track?: boolean;
  trackTimeout?: string;
  json?: boolean;
}

interface Move {
  deployment_id: string;
  instances: string[];
  plan_id: string;
}

/** Runs `allocator vacate <id>`; with `--track`, exits 0 only when every move succeeded and the allocator is empty. */
export async function vacateAllocator(
  client: ApiClient,
  rawId: string,
  options: VacateOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('allocator', rawId);
  const targets = options.target === undefined ? undefined : parseTargets(options.target);
  const timeoutS =
    options.trackTimeout === undefined
      ? undefined
      : parseInteger('--track-timeout', options.trackTimeout, 1, 86_400);
  const res = await client.request<{ moves: Move[] }>('POST', `/platform/allocators/${id}/instances/_move`, {
    body: targets ? { target_allocators: targets } : {},
  });
  const moves = res.body.moves;
  if (options.json && !options.track) ctx.stdout.write(`${JSON.stringify(res.body, null, 2)}\n`);
  else if (moves.length === 0) ctx.stdout.write(`allocator ${id}: no instances to move\n`);
  else
    for (const m of moves)
      ctx.stdout.write(`${m.deployment_id}: moving ${m.instances.join(', ')} (plan ${m.plan_id})\n`);
  if (!options.track) return 0;
  let code = 0;
  for (const m of moves) {
    const result = await trackPlan({
      client,
      deploymentId: m.deployment_id,
      planId: m.plan_id,
      knownAttemptIds: await otherAttempts(client, m),
      expectDeletion: false,
      out: ctx.stdout,
      json: options.json === true,
      ...(timeoutS === undefined ? {} : { timeoutMs: timeoutS * 1000 }),
    });
    code = Math.max(code, result);
  }
  if (code !== 0) return code;
  const left = await instancesOn(client, id);
  ctx.stdout.write(
    left === 0 ? `allocator ${id}: vacated\n` : `allocator ${id}: ${left} instances still there\n`,
  );
  return left === 0 ? 0 : 1;
}

function parseTargets(raw: string): string[] {
  const ids = raw.split(',').map((s) => s.trim());
  ids.forEach((t) => assertId('allocator', t));
  if (ids.length === 0) throw new WharfError('WHARF_BAD_REQUEST', '--target: no allocator id');
  return ids;
}

/** Attempts of the deployment that are not the move's (tracking must never fall back to them). */
async function otherAttempts(client: ApiClient, m: Move): Promise<Set<string>> {
  const res = await client.request('GET', `/deployments/${m.deployment_id}/plan/activity`, { allow: [404] });
  if (res.status === 404) return new Set();
  return new Set(
    attemptsOf(res.body)
      .filter((a) => a.plan_id !== m.plan_id)
      .map((a) => a.plan_attempt_id),
  );
}

async function instancesOn(client: ApiClient, id: string): Promise<number> {
  const res = await client.request<{ allocators: { id: string; instances: number }[] }>(
    'GET',
    '/platform/allocators',
  );
  return res.body.allocators.find((a) => a.id === id)?.instances ?? 0;
}
