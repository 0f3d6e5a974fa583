import { compileUpConfig } from '../config/up-config';
import { type CommandHandlers, buildProgram } from '../program';
import { type UpCommandOptions, supervisorFlags } from './up';

const host = { totalMemoryBytes: 2 ** 34 };

/** Parses `wharf <argv>` and returns what the up handler received. */
async function parseUp(argv: string[]): Promise<UpCommandOptions> {
  let got: UpCommandOptions | undefined;
  const none = async () => 0;
  const handlers: CommandHandlers = {
    up: async (options) => {
      got = options;
      return 0;
    },
    down: none,
    status: none,
    deploymentCreate: none,
    deploymentList: none,
    deploymentShow: none,
    deploymentActivity: none,
    deploymentUpdate: none,
    deploymentDelete: none,
    deploymentRestart: none,
    deploymentShutdown: none,
    deploymentStart: none,
    deploymentRestore: none,
    deploymentCredentialsReset: none,
    deploymentStopInstances: none,
    deploymentStartInstances: none,
    planCancel: none,
    hostJoin: none,
    hostEnrol: none,
    pkiRotate: none,
    hostList: none,
    hostRoles: none,
    allocatorVacate: none,
    snapshotDelete: none,
    templateList: none,
    templateShow: none,
    instanceConfigurationList: none,
    instanceConfigurationShow: none,
    apiKeyCreate: none,
    apiKeyList: none,
    apiKeyRevoke: none,
    events: none,
    deploymentLogs: none,
  };
  const sink = { write: () => undefined };
  await buildProgram(handlers, { stdout: sink, stderr: sink }, () => undefined).parseAsync(argv, {
    from: 'user',
  });
  return got!;
}

describe('supervisorFlags', () => {
  it('makes the background supervisor compute the same configuration as the foreground', async () => {
    const env = { WHARF_ALLOCATORS: '4', WHARF_ZK: '127.0.0.1:3181' };
    const foreground = await parseUp([
      'up',
      '--detach',
      '--home',
      'rel/home',
      '--api-port',
      '3400',
      '--proxy-ports',
      '3200,3201,3202',
      '--port-base',
      '40000',
      '--zones',
      'a,b',
      '--timeout',
      '5',
      '--secure',
      '--directors',
      '0',
    ]);
    const config = compileUpConfig(foreground, env, '/cwd', host);
    const flags = supervisorFlags(foreground, config);
    expect(flags.slice(0, 2)).toEqual(['--home', '/cwd/rel/home']);
    expect(config).toMatchObject({ secure: true, directors: 0 });
    // A boolean flag travels bare: `--secure true` would be a stray argument.
    expect(flags[flags.indexOf('--secure') + 1]).not.toBe('true');
    const background = await parseUp(['up', '--supervisor', 'detached', ...flags]);
    expect(background.supervisor).toBe('detached');
    // The supervisor runs with the same environment but may have another cwd: the home is absolute.
    expect(compileUpConfig(background, env, '/elsewhere', host)).toEqual(config);
  });
});
