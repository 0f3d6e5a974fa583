/** What `wharf` hands its command handlers: the global options and one handler per command. */
import { type ActivityOptions } from './commands/activity';
import { type EventsOptions, type LogsOptions } from './commands/events';
import {
  type CreateOptions,
  type DeploymentCommandOptions,
  type RestartOptions,
  type UpdateOptions,
} from './commands/deployment';
import { type RestoreOptions, type StopInstancesOptions } from './commands/deployment-actions';
import { type ListOptions } from './commands/deployment-list';
import { type DownOptions } from './commands/down';
import { type VacateOptions } from './commands/allocator';
import { type CatalogCommandOptions } from './commands/catalog';
import { type HostCommandOptions } from './commands/host';
import { type HostJoinOptions } from './commands/host-join';
import { type HostEnrolOptions, type PkiRotateOptions } from './commands/host-enrol';
import { type ApiKeyCommandOptions } from './commands/apikey';
import { type SnapshotCommandOptions } from './commands/snapshot';
import { type UpCommandOptions } from './commands/up';

/** Options accepted by every command. */
export interface GlobalOptions {
  home?: string;
  api?: string;
  apiKey?: string;
  /** CA certificate file an `https://` API must chain to (`--ca`). */
  ca?: string;
  json?: boolean;
}

/** What each command does with its parsed options; each returns the exit code. */
export interface CommandHandlers {
  up(options: UpCommandOptions & GlobalOptions): Promise<number>;
  down(options: DownOptions & GlobalOptions): Promise<number>;
  status(options: GlobalOptions): Promise<number>;
  deploymentCreate(options: CreateOptions & GlobalOptions): Promise<number>;
  deploymentList(options: ListOptions & GlobalOptions): Promise<number>;
  deploymentShow(id: string, options: GlobalOptions): Promise<number>;
  deploymentActivity(id: string, options: ActivityOptions & GlobalOptions): Promise<number>;
  deploymentUpdate(id: string, options: UpdateOptions & GlobalOptions): Promise<number>;
  deploymentDelete(id: string, options: DeploymentCommandOptions & GlobalOptions): Promise<number>;
  deploymentRestart(id: string, options: RestartOptions & GlobalOptions): Promise<number>;
  deploymentShutdown(id: string, options: DeploymentCommandOptions & GlobalOptions): Promise<number>;
  deploymentStart(id: string, options: DeploymentCommandOptions & GlobalOptions): Promise<number>;
  deploymentStopInstances(
    id: string,
    instanceIds: string,
    options: StopInstancesOptions & GlobalOptions,
  ): Promise<number>;
  deploymentStartInstances(
    id: string,
    instanceIds: string,
    options: DeploymentCommandOptions & GlobalOptions,
  ): Promise<number>;
  deploymentRestore(id: string, options: RestoreOptions & GlobalOptions): Promise<number>;
  deploymentCredentialsReset(id: string, options: { refId?: string } & GlobalOptions): Promise<number>;
  planCancel(id: string, options: DeploymentCommandOptions & GlobalOptions): Promise<number>;
  hostJoin(options: HostJoinOptions & GlobalOptions): Promise<number>;
  hostEnrol(options: HostEnrolOptions & GlobalOptions): Promise<number>;
  pkiRotate(options: PkiRotateOptions & GlobalOptions): Promise<number>;
  hostList(options: HostCommandOptions & GlobalOptions): Promise<number>;
  hostRoles(id: string, roles: string, options: HostCommandOptions & GlobalOptions): Promise<number>;
  allocatorVacate(id: string, options: VacateOptions & GlobalOptions): Promise<number>;
  snapshotDelete(
    id: string,
    snapshot: string,
    options: SnapshotCommandOptions & GlobalOptions,
  ): Promise<number>;
  templateList(options: CatalogCommandOptions & GlobalOptions): Promise<number>;
  templateShow(id: string, options: CatalogCommandOptions & GlobalOptions): Promise<number>;
  instanceConfigurationList(options: CatalogCommandOptions & GlobalOptions): Promise<number>;
  instanceConfigurationShow(id: string, options: CatalogCommandOptions & GlobalOptions): Promise<number>;
  apiKeyCreate(options: ApiKeyCommandOptions & GlobalOptions): Promise<number>;
  apiKeyList(options: ApiKeyCommandOptions & GlobalOptions): Promise<number>;
  apiKeyRevoke(id: string, options: ApiKeyCommandOptions & GlobalOptions): Promise<number>;
  events(options: EventsOptions & GlobalOptions): Promise<number>;
  deploymentLogs(id: string, instance: string, options: LogsOptions & GlobalOptions): Promise<number>;
}
