/** @packageDocumentation Routes client requests by deployment id to healthy instances */
export {};
