/**
 * Usage and billing: `GET /billing/usage?from&to` for a date range (default: the month so far),
 * per deployment and in total, priced with the platform's price list. Read-only; the api's field
 * errors (a range too long, no price list yet) are shown as they come.
 */
import { useState } from 'preact/hooks';
import { Field } from '../field';
import { money } from '../format';
import { useApi } from '../use-api';
import { ErrorLine, ListTable } from '../ui';

interface UsageItem {
  deployment_id: string;
  organization_id?: string;
  stack: string;
  instance_hours: string;
  memory_gb_hours: string;
  cpu_hours: string;
  storage_gb_hours: string;
  amount_micros: string;
}

interface Usage {
  from: string;
  to: string;
  currency: string;
  items: UsageItem[];
  total_micros: string;
}

/** `YYYY-MM-DD` of a time (UTC, as the api meters days). */
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The usage page. */
export function UsagePage() {
  const now = Date.now();
  const [range, setRange] = useState(() => {
    const start = new Date(now);
    return { from: day(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)), to: day(now + 86_400_000) };
  });
  const [draft, setDraft] = useState(range);
  const query = `from=${encodeURIComponent(`${range.from}T00:00:00Z`)}&to=${encodeURIComponent(`${range.to}T00:00:00Z`)}`;
  const { data, error } = useApi<Usage>(`/billing/usage?${query}`);
  return (
    <section aria-labelledby="usage-title">
      <h1 id="usage-title">Usage</h1>
      <form
        class="form inline"
        aria-label="Date range"
        onSubmit={(e) => {
          e.preventDefault();
          setRange(draft);
        }}
      >
        <Field
          label="From (UTC day)"
          id="usage-from"
          value={draft.from}
          onInput={(from) => setDraft((d) => ({ ...d, from }))}
        />
        <Field
          label="To (UTC day, exclusive)"
          id="usage-to"
          value={draft.to}
          onInput={(to) => setDraft((d) => ({ ...d, to }))}
        />
        <button type="submit">Show</button>
      </form>
      <ErrorLine error={error} />
      {data && (
        <ListTable
          label="Usage"
          columns={['Deployment', 'Stack', 'Instance h', 'Memory GB·h', 'CPU h', 'Storage GB·h', 'Amount']}
          empty={data.items.length === 0 ? 'No usage in this range.' : undefined}
        >
          {data.items.map((i) => (
            <tr key={i.deployment_id} data-usage={i.deployment_id}>
              <td>
                <code>{i.deployment_id}</code>
              </td>
              <td>{i.stack}</td>
              <td>{i.instance_hours}</td>
              <td>{i.memory_gb_hours}</td>
              <td>{i.cpu_hours}</td>
              <td>{i.storage_gb_hours}</td>
              <td>{money(i.amount_micros, data.currency)}</td>
            </tr>
          ))}
          <tr class="total" data-usage-total>
            <th scope="row" colSpan={6}>
              Total
            </th>
            <td>{money(data.total_micros, data.currency)}</td>
          </tr>
        </ListTable>
      )}
    </section>
  );
}
