/**
 * @packageDocumentation
 * The `wharf` command: runs the embedded single-host platform (`up`, `down`, `status`) and drives
 * deployments through the REST API (`deployment …`, `--track`). `dist/bin.js` is the executable;
 * this entry exposes what tests and tools drive it with: `run` (a command line in, an exit code
 * out), the command tree, and the platform record `wharf up` leaves in `$WHARF_HOME/run`.
 */
export { run, defaultHandlers } from './run';
export type { CliContext, ParentChannel, TextSink } from './context';
export { type CommandHandlers, type GlobalOptions, buildProgram } from './program';
export {
  type PlatformRecord,
  type ProcessKind,
  type ProcessRecord,
  parsePlatformRecord,
  platformFilePath,
  readPlatformFile,
} from '@wharf/platform';
