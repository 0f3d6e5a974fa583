/**
 * Everything a command touches outside its arguments, passed in by `bin.ts` — the only module that
 * reads `process` — so commands can run inside tests with captured output.
 */

/** Somewhere to write text. */
export interface TextSink {
  write(text: string): void;
}

/** The IPC channel to the parent process, present in the background supervisor. */
export interface ParentChannel {
  readonly connected: boolean;
  send(message: unknown): void;
  onDisconnect(listener: () => void): void;
}

/** The environment of one CLI invocation. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** The Node executable (services and the supervisor run under it). */
  readonly execPath: string;
  /** This CLI's `dist/bin.js`, re-run as the background supervisor. */
  readonly cliPath: string;
  /** Registers a handler for SIGINT/SIGTERM/SIGHUP; returns the function that removes it. */
  onShutdownSignal(listener: (signal: NodeJS.Signals) => void): () => void;
  /** Set when this process was spawned with an IPC channel. */
  readonly parent?: ParentChannel;
  /** Host RAM, for default allocator capacity. */
  readonly totalMemoryBytes: number;
}
