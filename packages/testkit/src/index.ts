/** @packageDocumentation Test harness: throwaway ZooKeeper, free ports, temp dirs, polling */
export {};
