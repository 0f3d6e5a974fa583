/** @packageDocumentation JSON Schemas, TypeScript types and znode paths for every document Wharf stores or accepts */
export {};
