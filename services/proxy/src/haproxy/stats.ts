/**
 * **Pure**: HAProxy's `show stat` CSV → the proxy's Prometheus text for the HAProxy data plane
 * (`wharf_proxy_haproxy_*`), appended to `/_metrics` by `haproxy-proxy.ts`. Declared here rather
 * than in `metrics.ts` because they are not prom-client metrics: HAProxy owns the counters and they
 * are read at scrape time. Labels stay low-cardinality (no deployment or instance ids).
 */
import { CONTROL_BACKEND, SLOT_PREFIX } from './render-config';

/** The frontend HAProxy serves clients on (`render-config.ts`). */
const FRONTEND = 'wharf';
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

interface Totals {
  requests: number;
  responses: Record<(typeof STATUS_CLASSES)[number], number>;
  retries: number;
  redispatches: number;
  connectErrors: number;
  servers: { up: number; down: number };
}

/** Renders the `show stat` answer as Prometheus text. */
export function haproxyMetricsText(csv: string): string {
  const totals = sum(parseCsv(csv));
  const lines = [
    ...metric('requests_total', 'counter', 'Requests HAProxy received on the public port.', [
      ['', totals.requests],
    ]),
    ...metric(
      'responses_total',
      'counter',
      'Responses HAProxy sent, by status class.',
      STATUS_CLASSES.map((c) => [`{status_class="${c}"}`, totals.responses[c]]),
    ),
    ...metric('upstream_retries_total', 'counter', 'Connect retries to instances.', [['', totals.retries]]),
    ...metric('upstream_redispatches_total', 'counter', 'Requests sent to another instance.', [
      ['', totals.redispatches],
    ]),
    ...metric('upstream_connect_errors_total', 'counter', 'Failed connects to instances.', [
      ['', totals.connectErrors],
    ]),
    ...metric(
      'servers',
      'gauge',
      'Instances HAProxy balances over, by check state (free slot servers, in maintenance, are not counted).',
      (['up', 'down'] as const).map((s) => [`{state="${s}"}`, totals.servers[s]]),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function metric(name: string, type: string, help: string, samples: (readonly [string, number])[]): string[] {
  const full = `wharf_proxy_haproxy_${name}`;
  return [`# HELP ${full} ${help}`, `# TYPE ${full} ${type}`, ...samples.map(([l, v]) => `${full}${l} ${v}`)];
}

/** Rows of the CSV as field name → value. */
function parseCsv(csv: string): Map<string, string>[] {
  const [header, ...rows] = csv.split('\n').filter((line) => line.length > 0);
  if (header === undefined || !header.startsWith('# ')) return [];
  const names = header.slice(2).split(',');
  return rows.map((row) => {
    const values = row.split(',');
    return new Map(names.map((name, i) => [name, values[i] ?? '']));
  });
}

function sum(rows: Map<string, string>[]): Totals {
  const totals: Totals = {
    requests: 0,
    responses: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    retries: 0,
    redispatches: 0,
    connectErrors: 0,
    servers: { up: 0, down: 0 },
  };
  const n = (row: Map<string, string>, field: string): number => Number(row.get(field) ?? '') || 0;
  for (const row of rows) {
    const proxy = row.get('pxname') ?? '';
    const kind = row.get('svname') ?? '';
    if (proxy === FRONTEND && kind === 'FRONTEND') {
      totals.requests = n(row, 'req_tot');
      for (const c of STATUS_CLASSES) totals.responses[c] = n(row, `hrsp_${c}`);
    }
    if (proxy === CONTROL_BACKEND || !proxy.startsWith(SLOT_PREFIX)) continue;
    if (kind === 'BACKEND') {
      totals.retries += n(row, 'wretr');
      totals.redispatches += n(row, 'wredis');
      totals.connectErrors += n(row, 'econ');
    } else if (kind !== 'FRONTEND') {
      const status = row.get('status') ?? '';
      if (status.startsWith('MAINT')) continue;
      if (status.startsWith('DOWN')) totals.servers.down += 1;
      else totals.servers.up += 1;
    }
  }
  return totals;
}
