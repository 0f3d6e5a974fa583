/**
 * Resize: memory per instance and zone count of the first resource's first topology element,
 * sent as `PUT /deployments/:id` with the rest of the plan unchanged. Validated like create.
 */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { Field } from '../field';
import { validateUpdateRequest } from '../generated/validators.js';
import { type PlanDoc } from '../live';
import { fieldErrors, topology, validate, type FieldErrors } from '../plan-form';
import { ErrorLine, useSubmit } from '../ui';

interface Topology {
  instance_configuration_id: string;
  size: { value: number };
  zone_count: number;
}

function firstTopology(plan: PlanDoc): Topology | undefined {
  const resource = Object.values(plan.resources)[0]?.[0];
  return (resource?.plan.cluster_topology as Topology[] | undefined)?.[0];
}

/** The request replacing the first topology element's size and zone count. */
function resizeRequest(plan: PlanDoc, memory: string, zoneCount: string): Record<string, unknown> {
  const resources = structuredClone(plan.resources);
  const resource = Object.values(resources)[0]?.[0];
  const elements = resource?.plan.cluster_topology as Topology[] | undefined;
  if (resource && elements?.[0]) {
    resource.plan.cluster_topology = [
      topology(elements[0].instance_configuration_id, memory, zoneCount),
      ...elements.slice(1),
    ];
  }
  return { resources };
}

/** The resize form of a deployment whose plan of record is `plan`. */
export function Resize({ id, plan }: { id: string; plan: PlanDoc }) {
  const start = firstTopology(plan);
  const [memory, setMemory] = useState(String(start?.size.value ?? ''));
  const [zones, setZones] = useState(String(start?.zone_count ?? ''));
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [sent, setSent] = useState(false);
  const request = useMemo(() => resizeRequest(plan, memory, zones), [plan, memory, zones]);
  const local = useMemo(() => fieldErrors(validate(validateUpdateRequest, request)), [request]);
  const errors = { ...local, ...serverErrors };

  const { busy, submit } = useSubmit(
    async () => {
      await api('PUT', `/deployments/${id}`, request);
      setSent(true);
    },
    (issues) => setServerErrors(fieldErrors(issues)),
    () => Object.keys(local).length > 0,
  );
  const edit = (setter: (v: string) => void) => (v: string) => {
    setter(v);
    setServerErrors({});
    setSent(false);
  };
  return (
    <form class="form inline" aria-label="Resize" onSubmit={(e) => void submit(e)} noValidate>
      <Field
        id="resize-memory"
        label="Memory per instance (MB)"
        type="number"
        value={memory}
        error={errors.memory}
        onInput={edit(setMemory)}
      />
      <Field
        id="resize-zones"
        label="Zones"
        type="number"
        value={zones}
        error={errors.zone_count}
        onInput={edit(setZones)}
      />
      <ErrorLine error={errors.form} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          Apply
        </button>
        {sent && <span role="status">Plan submitted.</span>}
      </div>
    </form>
  );
}
