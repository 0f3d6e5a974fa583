/** The price list (`/platform/pricing`) and the metering day documents, for billing. */
import { paths, type MeteringDay, type Pricing } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';

/** Reads and writes what billing needs. */
export interface BillingStore {
  pricing(): Promise<Pricing | undefined>;
  setPricing(pricing: Pricing): Promise<void>;
  /** The day documents of `days`, every deployment metered (deleted ones included). */
  meteringDays(days: readonly string[]): Promise<MeteringDay[]>;
}

/** {@link BillingStore} over a ZooKeeper session. */
export class ZkBillingStore implements BillingStore {
  private readonly docs: DocumentStore;

  constructor(zk: ZkSession, logger: Logger) {
    this.docs = new DocumentStore(zk, { logger });
  }

  async pricing(): Promise<Pricing | undefined> {
    return (await this.docs.read('pricing', paths.pricing()))?.value;
  }

  async setPricing(pricing: Pricing): Promise<void> {
    await this.docs.put('pricing', paths.pricing(), pricing);
  }

  async meteringDays(days: readonly string[]): Promise<MeteringDay[]> {
    const out: MeteringDay[] = [];
    for (const deployment of await this.docs.readChildren(paths.meteringRoot())) {
      const present = new Set(await this.docs.readChildren(paths.meteringCursor(deployment)));
      for (const day of days) {
        if (!present.has(day)) continue;
        const doc = await this.docs.readOrSkip('metering-day', paths.meteringDay(deployment, day));
        if (doc) out.push(doc.value);
      }
    }
    return out;
  }
}
