/** @packageDocumentation Stack packs: what a deployment runs (etcd, http) */
export {};
