/**
 * Billing, the pure part: the price list body, the usage query, and line items priced in integer
 * micro-units with BigInt arithmetic (no floating-point money). A line is one deployment × stack
 * over the period; its amount is rounded half up once, at the line; the total is the sum of the
 * lines, so the CSV adds up to the cent a customer can check.
 */
import { WharfError, isValidId, type MeteringDay, type Pricing, type ValidationIssue } from '@wharf/model';

/** Longest period one query covers. */
export const MAX_BILLING_DAYS = 400;

/** A validated usage query. */
export interface UsageQuery {
  from: number;
  to: number;
  organization?: string;
  format: 'json' | 'csv';
}

/** One priced line. */
export interface UsageItem {
  deployment_id: string;
  organization_id: string | null;
  /** null: the deployment's proxy traffic (the proxies count per deployment, not per stack). */
  stack: string | null;
  instance_seconds: number;
  memory_mb_seconds: number;
  cpu_milli_seconds: number;
  storage_mb_seconds: number;
  traffic_in_bytes: number;
  traffic_out_bytes: number;
  requests: number;
  /** Decimal strings, 6 places, exact. */
  instance_hours: string;
  memory_gb_hours: string;
  cpu_hours: string;
  storage_gb_hours: string;
  /** GB (2^30 bytes) in and out, 6 places, exact. */
  transfer_gb: string;
  amount_micros: string;
}

/** Price-list fields that apply to every stack (no per-stack override). */
const PLATFORM_PRICES = ['cpu_hour_micros', 'storage_gb_hour_micros', 'transfer_gb_micros'] as const;

function invalid(issues: ValidationIssue[]): WharfError {
  const first = issues[0]!;
  return new WharfError('WHARF_VALIDATION', `invalid request: ${first.path}: ${first.message}`, {
    details: issues,
  });
}

const MICROS = (path: string, value: unknown, issues: ValidationIssue[]): number | undefined => {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    issues.push({ path, message: 'must be a whole number of micro-units ≥ 0' });
    return undefined;
  }
  return value as number;
};

/** Validates a `PUT .../pricing` body into the stored document; 400 naming every bad field. */
export function parsePricing(body: Record<string, unknown>, now: number): Pricing {
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(body))
    if (
      !['currency', 'instance_hour_micros', 'memory_gb_hour_micros', 'stacks', ...PLATFORM_PRICES].includes(
        key,
      )
    )
      issues.push({ path: key.slice(0, 64), message: 'is not allowed here' });
  if (typeof body.currency !== 'string' || !/^[A-Z]{3}$/.test(body.currency))
    issues.push({ path: 'currency', message: 'must be an ISO 4217 code such as USD' });
  const instance = MICROS('instance_hour_micros', body.instance_hour_micros ?? 0, issues);
  const memory = MICROS('memory_gb_hour_micros', body.memory_gb_hour_micros ?? 0, issues);
  const platform: Partial<Record<(typeof PLATFORM_PRICES)[number], number>> = {};
  for (const key of PLATFORM_PRICES) {
    const value = MICROS(key, body[key], issues);
    if (value !== undefined) platform[key] = value;
  }
  const stacks: NonNullable<Pricing['stacks']> = {};
  if (body.stacks !== undefined) {
    if (typeof body.stacks !== 'object' || body.stacks === null || Array.isArray(body.stacks)) {
      issues.push({ path: 'stacks', message: 'must be an object of stack → prices' });
    } else {
      for (const [stack, prices] of Object.entries(body.stacks)) {
        const at = `stacks.${stack.slice(0, 32)}`;
        if (!/^[a-z][a-z0-9-]{0,31}$/.test(stack) || typeof prices !== 'object' || prices === null) {
          issues.push({ path: at, message: 'must name a stack and hold its prices' });
          continue;
        }
        const p = prices as Record<string, unknown>;
        for (const key of Object.keys(p))
          if (key !== 'instance_hour_micros' && key !== 'memory_gb_hour_micros')
            issues.push({ path: `${at}.${key.slice(0, 64)}`, message: 'is not allowed here' });
        const i = MICROS(`${at}.instance_hour_micros`, p.instance_hour_micros, issues);
        const m = MICROS(`${at}.memory_gb_hour_micros`, p.memory_gb_hour_micros, issues);
        stacks[stack] = {
          ...(i === undefined ? {} : { instance_hour_micros: i }),
          ...(m === undefined ? {} : { memory_gb_hour_micros: m }),
        };
      }
    }
  }
  if (issues.length > 0) throw invalid(issues);
  return {
    schema_version: 1,
    currency: body.currency as string,
    instance_hour_micros: instance!,
    memory_gb_hour_micros: memory!,
    ...platform,
    ...(body.stacks === undefined ? {} : { stacks }),
    updated: new Date(now).toISOString(),
  };
}

/** Validates `?from=&to=&organization=&format=`; 400 naming the parameter. */
export function parseUsageQuery(query: Record<string, unknown>): UsageQuery {
  const issues: ValidationIssue[] = [];
  const time = (name: string): number => {
    const raw = query[name];
    const at = typeof raw === 'string' ? Date.parse(raw) : NaN;
    if (Number.isNaN(at))
      issues.push({ path: name, message: 'must be an ISO 8601 time, e.g. 2026-12-01T00:00:00Z' });
    return at;
  };
  const from = time('from');
  const to = time('to');
  if (!Number.isNaN(from) && !Number.isNaN(to)) {
    if (from >= to) issues.push({ path: 'from', message: 'must be before to' });
    else if (to - from > MAX_BILLING_DAYS * 86_400_000)
      issues.push({ path: 'to', message: `at most ${MAX_BILLING_DAYS} days after from` });
  }
  const organization = query.organization;
  if (organization !== undefined && !isValidId(organization))
    issues.push({ path: 'organization', message: 'must be an organization id' });
  const format = query.format ?? 'json';
  if (format !== 'json' && format !== 'csv') issues.push({ path: 'format', message: 'must be json or csv' });
  if (issues.length > 0) throw invalid(issues);
  return {
    from,
    to,
    ...(organization === undefined ? {} : { organization: organization as string }),
    format: format as 'json' | 'csv',
  };
}

/** `n / d` rounded half up, both non-negative. */
function divRound(n: bigint, d: bigint): bigint {
  return (n * 2n + d) / (2n * d);
}

/** Seconds as hours, 6 decimals, exact (rounded half up at the sixth). */
export function hoursOf(seconds: bigint, divisor = 1n): string {
  const micro = divRound(seconds * 1_000_000n, 3600n * divisor);
  return `${micro / 1_000_000n}.${(micro % 1_000_000n).toString().padStart(6, '0')}`;
}

/** Bytes as GB (2^30 bytes), 6 decimals, exact (rounded half up at the sixth). */
export function gigabytesOf(bytes: bigint): string {
  const micro = divRound(bytes * 1_000_000n, GIB);
  return `${micro / 1_000_000n}.${(micro % 1_000_000n).toString().padStart(6, '0')}`;
}

const GIB = 1n << 30n;

/** The days (`YYYY-MM-DD`) a period touches. */
export function daysOf(from: number, to: number): string[] {
  const out: string[] = [];
  for (let t = Date.parse(new Date(from).toISOString().slice(0, 10)); t < to; t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** One deployment × stack's sums over the period. */
interface UsageSum {
  deployment_id: string;
  organization_id: string | null;
  stack: string | null;
  /** Instance seconds, memory MB-seconds, CPU milli-core-seconds, storage MB-seconds. */
  i: bigint;
  m: bigint;
  c: bigint;
  s: bigint;
  /** Traffic bytes in and out, requests (on the deployment's traffic line only). */
  tin: bigint;
  tout: bigint;
  req: bigint;
}

/**
 * A line's amount: i/3600 × per instance-hour + m/(1024×3600) × per GB-hour + c/(1000×3600) ×
 * per CPU-hour + s/(1024×3600) × per storage GB-hour, rounded half up once over the exact sum.
 */
function lineAmount(sum: UsageSum, pricing: Pricing): bigint {
  if (sum.stack === null)
    return divRound((sum.tin + sum.tout) * BigInt(pricing.transfer_gb_micros ?? 0), GIB);
  const prices = pricing.stacks?.[sum.stack] ?? {};
  const perInstance = BigInt(prices.instance_hour_micros ?? pricing.instance_hour_micros);
  const perGb = BigInt(prices.memory_gb_hour_micros ?? pricing.memory_gb_hour_micros);
  const perCpu = BigInt(pricing.cpu_hour_micros ?? 0);
  const perStorageGb = BigInt(pricing.storage_gb_hour_micros ?? 0);
  const numerator =
    sum.i * perInstance * 1024n * 1000n +
    sum.m * perGb * 1000n +
    sum.c * perCpu * 1024n +
    sum.s * perStorageGb * 1000n;
  return divRound(numerator, 3600n * 1024n * 1000n);
}

/**
 * Sums the day documents' lines inside [from, to) by deployment × stack, and their traffic by
 * deployment (a line with stack null, after the deployment's stacks).
 */
function sumUsage(docs: readonly MeteringDay[], from: number, to: number): UsageSum[] {
  const sums = new Map<string, UsageSum>();
  const sumOf = (doc: MeteringDay, stack: string | null): UsageSum => {
    const key = `${doc.deployment_id}\u0000${stack ?? '\uffff'}`;
    let sum = sums.get(key);
    if (sum === undefined) {
      const zero = { i: 0n, m: 0n, c: 0n, s: 0n, tin: 0n, tout: 0n, req: 0n };
      sum = {
        deployment_id: doc.deployment_id,
        organization_id: doc.organization_id ?? null,
        stack,
        ...zero,
      };
      sums.set(key, sum);
    }
    return sum;
  };
  const inPeriod = (doc: MeteringDay, hour: string): boolean => {
    const start = Date.parse(`${doc.day}T${hour}:00:00.000Z`);
    return start >= from && start < to;
  };
  for (const doc of docs) {
    for (const line of doc.lines) {
      if (!inPeriod(doc, line.hour)) continue;
      const sum = sumOf(doc, line.stack);
      sum.i += BigInt(line.instance_seconds);
      sum.m += BigInt(line.memory_mb_seconds);
      sum.c += BigInt(line.cpu_milli_seconds ?? 0);
      sum.s += BigInt(line.storage_mb_seconds ?? 0);
    }
    for (const line of doc.traffic ?? []) {
      if (!inPeriod(doc, line.hour)) continue;
      const sum = sumOf(doc, null);
      sum.tin += BigInt(line.in_bytes);
      sum.tout += BigInt(line.out_bytes);
      sum.req += BigInt(line.requests);
    }
  }
  return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, sum]) => sum);
}

/** Sums the day documents' lines inside [from, to) by deployment × stack and prices them. */
export function priceUsage(docs: readonly MeteringDay[], pricing: Pricing, from: number, to: number) {
  const items: UsageItem[] = sumUsage(docs, from, to).map((s) => ({
    deployment_id: s.deployment_id,
    organization_id: s.organization_id,
    stack: s.stack,
    instance_seconds: Number(s.i),
    memory_mb_seconds: Number(s.m),
    cpu_milli_seconds: Number(s.c),
    storage_mb_seconds: Number(s.s),
    traffic_in_bytes: Number(s.tin),
    traffic_out_bytes: Number(s.tout),
    requests: Number(s.req),
    instance_hours: hoursOf(s.i),
    memory_gb_hours: hoursOf(s.m, 1024n),
    cpu_hours: hoursOf(s.c, 1000n),
    storage_gb_hours: hoursOf(s.s, 1024n),
    transfer_gb: gigabytesOf(s.tin + s.tout),
    amount_micros: lineAmount(s, pricing).toString(),
  }));
  const total = items.reduce((sum, item) => sum + BigInt(item.amount_micros), 0n);
  return { currency: pricing.currency, items, total_micros: total.toString() };
}

/** The CSV of {@link priceUsage}: a header, one row per item, a total row. */
export function usageCsv(priced: ReturnType<typeof priceUsage>): string {
  const rows = [
    'deployment_id,organization_id,stack,instance_hours,memory_gb_hours,cpu_hours,storage_gb_hours,traffic_in_bytes,traffic_out_bytes,requests,transfer_gb,amount_micros,currency',
    ...priced.items.map((i) =>
      [
        i.deployment_id,
        i.organization_id ?? '',
        i.stack ?? '',
        i.instance_hours,
        i.memory_gb_hours,
        i.cpu_hours,
        i.storage_gb_hours,
        i.traffic_in_bytes,
        i.traffic_out_bytes,
        i.requests,
        i.transfer_gb,
        i.amount_micros,
        priced.currency,
      ].join(','),
    ),
    ['total', '', '', '', '', '', '', '', '', '', '', priced.total_micros, priced.currency].join(','),
  ];
  return `${rows.join('\n')}\n`;
}
