/** @packageDocumentation Logger factory, per-service metrics registry, /metrics and /health handler */
export {};
