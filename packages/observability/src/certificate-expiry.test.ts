import { certificateExpiryGauge } from './certificate-expiry';
import { createMetrics } from './metrics';

test('reports each certificate by service and cn, read at scrape time', async () => {
  const metrics = createMetrics('runner');
  let notAfter = new Date(1_000_000);
  certificateExpiryGauge(
    metrics,
    () => [
      { cn: 'host-1', notAfter },
      { service: 'api', cn: 'host-1', notAfter: new Date(2_000_000) },
    ],
    () => 0,
  );
  let text = await metrics.registry.metrics();
  expect(text).toContain('wharf_certificate_expiry_seconds{service="runner",cn="host-1"} 1000');
  expect(text).toContain('wharf_certificate_expiry_seconds{service="api",cn="host-1"} 2000');
  notAfter = new Date(5_000_000);
  text = await metrics.registry.metrics();
  expect(text).toContain('wharf_certificate_expiry_seconds{service="runner",cn="host-1"} 5000');
});
