/**
 * `wharf billing export --from T --to T [--organization O] [--format csv|json] [--out FILE]`: the
 * priced usage of a period (`GET /billing/usage`), as the api computes it (BigInt micro-units; the
 * CLI never does arithmetic on money). The api validates `from`, `to` and `organization` (400
 * naming them); the format is checked here so a typo fails before any request. With `--out` the
 * file is written whole through a temporary file renamed into place (never half an export).
 */
import { resolve } from 'node:path';
import { type ApiClient } from '../api/api-client';
import { invalidOption } from '../config/values';
import { type CliContext } from '../context';
import { writePrivateFile } from './platform-backup';

/** `billing export` options. */
export interface BillingExportOptions {
  from: string;
  to: string;
  organization?: string;
  format?: string;
  out?: string;
  json?: boolean;
}

/** Formats the api serves. */
export const BILLING_FORMATS = ['csv', 'json'] as const;

/** The export format: `--format`, else json when `--json`, else csv. Throws naming `--format`. */
export function exportFormat(options: Pick<BillingExportOptions, 'format' | 'json'>): 'csv' | 'json' {
  const format = options.format ?? (options.json ? 'json' : 'csv');
  if (format !== 'csv' && format !== 'json')
    throw invalidOption(
      '--format',
      `expected one of ${BILLING_FORMATS.join(', ')}, got ${JSON.stringify(format)}`,
    );
  return format;
}

/** Runs `billing export`: the export on stdout, or in `--out` (then one line saying where). */
export async function exportBilling(
  client: ApiClient,
  options: BillingExportOptions,
  ctx: CliContext,
): Promise<number> {
  const format = exportFormat(options);
  const query: Record<string, string> = { from: options.from, to: options.to, format };
  if (options.organization !== undefined) query.organization = options.organization;
  const res = await client.request('GET', '/billing/usage', { query });
  const text = format === 'csv' ? String(res.body ?? '') : `${JSON.stringify(res.body, null, 2)}\n`;
  if (options.out === undefined) {
    ctx.stdout.write(text);
    return 0;
  }
  const file = resolve(ctx.cwd, options.out);
  // Usage names customers and amounts: private like a backup.
  await writePrivateFile(file, text);
  ctx.stderr.write(`usage ${options.from} → ${options.to} (${format}) written to ${file}\n`);
  return 0;
}
