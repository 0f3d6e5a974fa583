/** @packageDocumentation ContainerRuntime interface and its process (and later Docker) implementations */
export {};
