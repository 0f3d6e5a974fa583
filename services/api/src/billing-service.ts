/**
 * The price list and usage billing: `PUT/GET /platform/configuration/pricing` and
 * `GET /billing/usage?from=&to=&organization=&format=json|csv` (line items per deployment × stack,
 * priced in integer micro-units; `domain/billing.ts`). An organization's key sees only its own
 * organization's usage, whatever it asks for.
 */
import { WharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type Clock } from './clock';
import { daysOf, parsePricing, parseUsageQuery, priceUsage, usageCsv } from './domain/billing';
import { type ServiceResponse } from './http/send';
import { organizationNotFound } from './organization-service';
import { type BillingStore } from './store/zk-billing';

/** Dependencies of a {@link BillingService}. */
export interface BillingServiceDeps {
  billing: BillingStore;
  clock: Clock;
  logger: Logger;
  /** Checks an organization exists (404 naming the field); absent: organizations are not served. */
  organizations?: { get(id: string, field?: string): Promise<unknown> };
}

/** A response that is CSV text rather than JSON. */
export interface TextResponse {
  status: number;
  contentType: string;
  text: string;
}

export class BillingService {
  constructor(private readonly deps: BillingServiceDeps) {}

  async setPricing(body: Record<string, unknown>): Promise<ServiceResponse> {
    const pricing = parsePricing(body, this.deps.clock.now());
    await this.deps.billing.setPricing(pricing);
    this.deps.logger.info('price list set', { currency: pricing.currency });
    const { schema_version: _v, ...view } = pricing;
    return { status: 200, body: view };
  }

  async pricing(): Promise<ServiceResponse> {
    const pricing = await this.deps.billing.pricing();
    if (pricing === undefined) throw noPricing();
    const { schema_version: _v, ...view } = pricing;
    return { status: 200, body: view };
  }

  /** The usage of a period; `scope`: the caller's organization, when its key is confined to one. */
  async usage(
    query: Record<string, unknown>,
    scope: string | undefined,
  ): Promise<ServiceResponse | TextResponse> {
    const q = parseUsageQuery(query);
    if (scope !== undefined && q.organization !== undefined && q.organization !== scope)
      throw organizationNotFound(q.organization, 'organization');
    const organization = scope ?? q.organization;
    if (organization !== undefined && scope === undefined)
      await this.deps.organizations?.get(organization, 'organization');
    const pricing = await this.deps.billing.pricing();
    if (pricing === undefined) throw noPricing();
    const docs = (await this.deps.billing.meteringDays(daysOf(q.from, q.to))).filter(
      (d) => organization === undefined || d.organization_id === organization,
    );
    const priced = priceUsage(docs, pricing, q.from, q.to);
    if (q.format === 'csv')
      return { status: 200, contentType: 'text/csv; charset=utf-8', text: usageCsv(priced) };
    return {
      status: 200,
      body: {
        from: new Date(q.from).toISOString(),
        to: new Date(q.to).toISOString(),
        ...(organization === undefined ? {} : { organization }),
        ...priced,
      },
    };
  }
}

function noPricing(): WharfError {
  return new WharfError('WHARF_CONFLICT', 'no price list yet: PUT /platform/configuration/pricing first', {
    details: [{ path: 'pricing', message: 'not configured' }],
  });
}
