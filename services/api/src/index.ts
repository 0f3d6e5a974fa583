/** @packageDocumentation REST API /api/v1 and admin console */
export {};
