/**
 * `wharf_certificate_expiry_seconds{service,cn}`: the one metric every service that holds a
 * certificate exports under the same name (issue 11), so one alert rule covers them all. It is
 * the exception to the `wharf_<service>_` prefix: `service` is a label here, set to the service
 * the certificate names (the registry's own `service` label otherwise), `cn` its host.
 */
import { Gauge } from 'prom-client';
import { SERVICE_LABEL, type Metrics } from './metrics';

/** The shared metric's name. */
export const CERTIFICATE_EXPIRY_METRIC = 'wharf_certificate_expiry_seconds';

/** One certificate as the gauge reports it. */
export interface CertificateExpiry {
  /** The service the certificate is for (its `OU`); defaults to the registry's service. */
  readonly service?: string;
  /** The certificate's common name (the host id for Wharf service certificates). */
  readonly cn: string;
  readonly notAfter: Date;
}

/**
 * Declares the gauge on `metrics`' registry; `current()` is read at every scrape, so a rotated
 * certificate is reported as soon as the service uses it.
 */
export function certificateExpiryGauge(
  metrics: Metrics,
  current: () => readonly CertificateExpiry[],
  now: () => number = Date.now,
): Gauge<'service' | 'cn'> {
  return new Gauge({
    name: 'wharf_certificate_expiry_seconds', // CERTIFICATE_EXPIRY_METRIC, spelled out for test/lint
    help: 'Seconds until the certificate expires (negative once expired), by service and common name.',
    labelNames: [SERVICE_LABEL, 'cn'] as const,
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const cert of current()) {
        const labels = { [SERVICE_LABEL]: cert.service ?? metrics.service, cn: cert.cn };
        this.set(labels, Math.round((cert.notAfter.getTime() - now()) / 1000));
      }
    },
  });
}
