/** Spec and record builders shared by the unit and integration tests (pure, no I/O). */
import { type InstanceSpec } from '@wharf/model';
import { specFingerprint } from '../src/fingerprint';
import { type InstanceRecord } from '../src/instance-record';

/** A valid http instance spec; override any field. */
export function specFixture(overrides: Partial<InstanceSpec> = {}): InstanceSpec {
  return {
    schema_version: 1,
    instance_id: 'd1-main-0',
    deployment_id: 'd1',
    ref_id: 'main',
    topology_id: 'default',
    stack: 'http',
    version: '1',
    allocator_id: 'alloc-a',
    zone: 'zone-a',
    memory_mb: 256,
    hold: false,
    cluster: { token: 't', state: 'new', members: [] },
    plan_attempt_id: 'attempt-1',
    generation: 1,
    created: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A record for `spec`, running its current fingerprint in container `c1`. */
export function runningRecord(spec: InstanceSpec, overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    instanceId: spec.instance_id,
    deploymentId: spec.deployment_id,
    phase: 'running',
    ports: { http: 20000 },
    generation: spec.generation,
    fingerprint: specFingerprint(spec),
    containerId: 'c1',
    healthy: true,
    failures: 0,
    restarts: 0,
    backoffMs: 0,
    ...overrides,
  };
}
