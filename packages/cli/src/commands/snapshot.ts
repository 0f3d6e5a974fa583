/** `wharf snapshot delete <deployment> <snapshot>`: a thin call to `DELETE …/snapshots/{snapshot}`. */
import { type Command } from 'commander';
import { assertId } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { type CliContext } from '../context';

/** Options of the snapshot commands. */
export interface SnapshotCommandOptions {
  json?: boolean;
}

/** Deletes one snapshot (record, then file); the api refuses one a restore is using (409). */
export async function deleteSnapshot(
  client: ApiClient,
  rawDeployment: string,
  rawSnapshot: string,
  options: SnapshotCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const deployment = assertId('deployment', rawDeployment);
  const snapshot = assertId('snapshot', rawSnapshot);
  const res = await client.request<Record<string, unknown>>(
    'DELETE',
    `/deployments/${deployment}/snapshots/${snapshot}`,
  );
  const text = `snapshot ${snapshot} of deployment ${deployment} deleted`;
  ctx.stdout.write(options.json ? `${JSON.stringify(res.body, null, 2)}\n` : `${text}\n`);
  return 0;
}

/** Adds `wharf snapshot delete` to the program; `deleteAction` is its commander action. */
export function addSnapshotCommands(
  program: Command,
  deleteAction: (...args: unknown[]) => Promise<void>,
): void {
  program
    .command('snapshot')
    .description('act on deployment snapshots')
    .command('delete <deployment> <snapshot>')
    .description('delete a snapshot, record then file (refused while a restore uses it)')
    .action(deleteAction);
}
