/** @packageDocumentation ZooKeeper client layer: promise API, session manager, recipes, embedded server launcher */
export {};
