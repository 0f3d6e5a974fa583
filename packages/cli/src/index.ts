/** @packageDocumentation The wharf command */
export {};
