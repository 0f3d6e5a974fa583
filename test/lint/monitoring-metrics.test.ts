/**
 * Every `wharf_*` metric that deploy/monitoring's alert rules and Grafana dashboards query is
 * declared by some service (its `src/metrics.ts` or a sibling): a renamed metric would otherwise
 * leave a rule that never fires and a panel that stays empty, and promtool cannot tell.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const MONITORING = join(ROOT, 'deploy', 'monitoring');
/** Series Prometheus derives from a histogram's name. */
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function declaredMetrics(): Set<string> {
  const names = new Set<string>();
  const services = join(ROOT, 'services');
  // The one metric shared by every service (`wharf_certificate_expiry_seconds`) lives in observability.
  const dirs = [
    ...readdirSync(services).map((service) => join(services, service, 'src')),
    join(ROOT, 'packages', 'observability', 'src'),
  ];
  for (const dir of dirs) {
    for (const file of sourceFiles(dir)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/name: '(wharf_[a-z0-9_]+)'/g)) names.add(m[1]!);
    }
  }
  return names;
}

function queriedMetrics(): Map<string, string> {
  const files = ['alerts.yml', ...readdirSync(join(MONITORING, 'grafana')).map((f) => join('grafana', f))];
  const queried = new Map<string, string>();
  for (const file of files) {
    for (const m of readFileSync(join(MONITORING, file), 'utf8').matchAll(/\bwharf_[a-z0-9_]+/g)) {
      queried.set(m[0], file);
    }
  }
  return queried;
}

describe('deploy/monitoring', () => {
  it('queries only metrics that Wharf services declare', () => {
    const declared = declaredMetrics();
    const queried = queriedMetrics();
    expect(queried.size).toBeGreaterThan(15);
    const unknown = [...queried]
      .filter(([name]) => {
        if (declared.has(name)) return false;
        const base = HISTOGRAM_SUFFIXES.find((s) => name.endsWith(s));
        return base === undefined || !declared.has(name.slice(0, -base.length));
      })
      .map(([name, file]) => `${name} (${file})`);
    expect(unknown).toEqual([]);
  });

  it('has the alert rules the operators expect', () => {
    const rules = readFileSync(join(MONITORING, 'alerts.yml'), 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(alerts).toEqual([
      'AllocatorDown',
      'ZooKeeperQuorumAtRisk',
      'PlanFailed',
      'ConstructorWithoutLeader',
      'ProxyHigh5xxRate',
      'ZoneCapacityLow',
      'CertificateExpirySoon',
      'ServiceCertificateExpirySoon',
      'DirectorCertificateExpirySoon',
      'DirectorQuorumUnhealthy',
      'DeploymentUnavailable',
      'WebhookDeadLettered',
    ]);
  });
});
