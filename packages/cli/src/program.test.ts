import { type CommandHandlers, buildProgram } from './program';

interface Call {
  command: string;
  id?: string;
  options: Record<string, unknown>;
}

/** Parses `argv` with handlers that only record what they were given. */
async function parse(
  argv: string[],
): Promise<{ calls: Call[]; code: number | undefined; out: string; err: string }> {
  const calls: Call[] = [];
  let out = '';
  let err = '';
  const record =
    (command: string) =>
    async (...args: unknown[]): Promise<number> => {
      const [first, second] = args;
      calls.push(
        typeof first === 'string'
          ? { command, id: first, options: { ...(second as object) } }
          : { command, options: { ...(first as object) } },
      );
      return 7;
    };
  const handlers: CommandHandlers = {
    up: record('up'),
    down: record('down'),
    status: record('status'),
    deploymentCreate: record('deploymentCreate'),
    deploymentList: record('deploymentList'),
    deploymentShow: record('deploymentShow'),
    deploymentActivity: record('deploymentActivity'),
    deploymentUpdate: record('deploymentUpdate'),
    deploymentDelete: record('deploymentDelete'),
    deploymentRestart: record('deploymentRestart'),
    deploymentShutdown: record('deploymentShutdown'),
    deploymentStart: record('deploymentStart'),
    deploymentRestore: record('deploymentRestore'),
    deploymentCredentialsReset: record('deploymentCredentialsReset'),
    deploymentStopInstances: async (id, ids, options) =>
      record('deploymentStopInstances')(id, { ...options, ids }),
    deploymentStartInstances: async (id, ids, options) =>
      record('deploymentStartInstances')(id, { ...options, ids }),
    planCancel: record('planCancel'),
    hostJoin: record('hostJoin'),
    hostEnrol: record('hostEnrol'),
    pkiRotate: record('pkiRotate'),
    hostList: record('hostList'),
    hostRoles: async (id, roles, options) => record('hostRoles')(id, { ...options, roles }),
    allocatorVacate: record('allocatorVacate'),
    snapshotDelete: async (id, snapshot, options) => record('snapshotDelete')(id, { ...options, snapshot }),
    templateList: record('templateList'),
    templateShow: record('templateShow'),
    instanceConfigurationList: record('instanceConfigurationList'),
    instanceConfigurationShow: record('instanceConfigurationShow'),
    apiKeyCreate: record('apiKeyCreate'),
    apiKeyList: record('apiKeyList'),
    apiKeyRevoke: record('apiKeyRevoke'),
    events: record('events'),
    deploymentLogs: async (id, instance, options) => record('deploymentLogs')(id, { ...options, instance }),
  };
  let code: number | undefined;
  const program = buildProgram(
    handlers,
    { stdout: { write: (t) => (out += t) }, stderr: { write: (t) => (err += t) } },
    (c) => (code = c),
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    code = (e as { exitCode?: number }).exitCode;
  }
  return { calls, code, out, err };
}

describe('the wharf command line', () => {
  it('hands every up flag to the up handler, with global options', async () => {
    // Split on spaces: no argument here contains one.
    const { calls, code } = await parse(
      (
        '--home /tmp/h up --detach --zk-port 3181 --api-port 3400 --proxy-ports 3200,3201 ' +
        '--allocators 4 --constructors 1 --port-base 40000 --capacity-mb 1024 --timeout 30'
      ).split(' '),
    );
    expect(code).toBe(7);
    expect(calls).toEqual([
      {
        command: 'up',
        options: {
          home: '/tmp/h',
          detach: true,
          zkPort: '3181',
          apiPort: '3400',
          proxyPorts: '3200,3201',
          allocators: '4',
          constructors: '1',
          portBase: '40000',
          capacityMb: '1024',
          timeout: '30',
        },
      },
    ]);
  });

  it('accepts global options after the subcommand too', async () => {
    const { calls } = await parse([
      'deployment',
      'list',
      '--json',
      '--api',
      'http://127.0.0.1:1',
      '--api-key',
      'k',
    ]);
    expect(calls).toEqual([
      { command: 'deploymentList', options: { json: true, api: 'http://127.0.0.1:1', apiKey: 'k' } },
    ]);
  });

  it('parses deployment create with tracking, request id and validate-only', async () => {
    const { calls } = await parse([
      'deployment',
      'create',
      '-f',
      'plan.json',
      '--track',
      '--request-id',
      'r-1',
      '--validate-only',
    ]);
    expect(calls[0]).toEqual({
      command: 'deploymentCreate',
      options: { file: 'plan.json', track: true, requestId: 'r-1', validateOnly: true },
    });
  });

  it('requires -f for create and update', async () => {
    const { calls, code, err } = await parse(['deployment', 'create']);
    expect(calls).toEqual([]);
    expect(code).toBe(1);
    expect(err).toContain("required option '-f, --file <plan.json>' not specified");
  });

  it('passes ids positionally to show, update, delete and plan cancel', async () => {
    expect((await parse(['deployment', 'show', 'abc'])).calls[0]).toMatchObject({
      command: 'deploymentShow',
      id: 'abc',
    });
    expect(
      (await parse(['deployment', 'update', 'abc', '-f', 'p.json', '--version', '3', '--track'])).calls[0],
    ).toEqual({
      command: 'deploymentUpdate',
      id: 'abc',
      options: { file: 'p.json', version: '3', track: true },
    });
    expect((await parse(['deployment', 'delete', 'abc', '--track'])).calls[0]).toEqual({
      command: 'deploymentDelete',
      id: 'abc',
      options: { track: true },
    });
    expect(
      (await parse(['deployment', 'restart', 'abc', '--group-by', 'logical_zone_name', '--track'])).calls[0],
    ).toEqual({
      command: 'deploymentRestart',
      id: 'abc',
      options: { groupBy: 'logical_zone_name', track: true },
    });
    expect((await parse(['deployment', 'shutdown', 'abc', '--track'])).calls[0]).toEqual({
      command: 'deploymentShutdown',
      id: 'abc',
      options: { track: true },
    });
    expect((await parse(['deployment', 'restore', 'abc', '--snapshot', 's-1', '--track'])).calls[0]).toEqual({
      command: 'deploymentRestore',
      id: 'abc',
      options: { snapshot: 's-1', track: true },
    });
    expect((await parse(['deployment', 'start', 'abc'])).calls[0]).toEqual({
      command: 'deploymentStart',
      id: 'abc',
      options: {},
    });
    expect(
      (await parse(['deployment', 'stop-instances', 'abc', 'abc-main-0,abc-main-1', '--force'])).calls[0],
    ).toEqual({
      command: 'deploymentStopInstances',
      id: 'abc',
      options: { ids: 'abc-main-0,abc-main-1', force: true },
    });
    expect((await parse(['deployment', 'start-instances', 'abc', 'abc-main-0'])).calls[0]).toEqual({
      command: 'deploymentStartInstances',
      id: 'abc',
      options: { ids: 'abc-main-0' },
    });
    expect((await parse(['deployment', 'activity', 'abc', '--json'])).calls[0]).toEqual({
      command: 'deploymentActivity',
      id: 'abc',
      options: { json: true },
    });
    expect((await parse(['deployment', 'plan', 'cancel', 'abc'])).calls[0]).toMatchObject({
      command: 'planCancel',
      id: 'abc',
    });
  });

  it('parses events and deployment logs', async () => {
    expect(
      (await parse(['events', '--since', '2026-01-01T00:00:00Z', '--type', 'plan-failed'])).calls[0],
    ).toEqual({
      command: 'events',
      options: { since: '2026-01-01T00:00:00Z', type: 'plan-failed' },
    });
    expect((await parse(['deployment', 'logs', 'abc', 'abc-0', '--tail', '20'])).calls[0]).toEqual({
      command: 'deploymentLogs',
      id: 'abc',
      options: { tail: '20', instance: 'abc-0' },
    });
  });

  it('parses down and status', async () => {
    expect((await parse(['down', '--timeout', '5'])).calls[0]).toEqual({
      command: 'down',
      options: { timeout: '5' },
    });
    expect((await parse(['status', '--json'])).calls[0]).toEqual({
      command: 'status',
      options: { json: true },
    });
  });

  it('parses host join, list and roles', async () => {
    const join = await parse([
      'host',
      'join',
      '--zk',
      'zk:2181',
      '--token',
      'wharf_r1_s',
      '--zone',
      'zone-b',
      '--roles',
      'allocator,proxy',
      '--host-id',
      'h2',
      '--address',
      '127.0.0.2',
    ]);
    expect(join.calls[0]).toMatchObject({
      command: 'hostJoin',
      options: {
        zk: 'zk:2181',
        token: 'wharf_r1_s',
        zone: 'zone-b',
        roles: 'allocator,proxy',
        hostId: 'h2',
        address: '127.0.0.2',
      },
    });
    expect((await parse(['host', 'join', '--zk', 'zk:2181', '--zone', 'z'])).code).toBe(1);
    const secure = await parse(
      [
        'host',
        'join',
        '--zk',
        'zk:2281',
        '--zone',
        'z',
        '--roles',
        'proxy',
        '--director',
        'https://d:12500',
      ].concat(['--ca-fingerprint', 'sha256:ab', '--tls-dir', '/t']),
    );
    expect(secure.calls[0]?.options).toMatchObject({
      director: 'https://d:12500',
      caFingerprint: 'sha256:ab',
      tlsDir: '/t',
    });
    const insecure = await parse([
      'host',
      'join',
      '--zk',
      'zk:2181',
      '--zone',
      'z',
      '--roles',
      'proxy',
      '--insecure',
    ]);
    expect(insecure.calls[0]?.options).toMatchObject({ insecure: true });
    const enrol = await parse([
      'host',
      'enrol',
      '--director',
      'https://127.0.0.1:12500',
      '--ca-fingerprint',
      'sha256:ab',
      '--token',
      'wharf_r1_s',
      '--roles',
      'allocator,proxy',
      '--host-id',
      'h2',
    ]);
    expect(enrol.calls[0]).toMatchObject({
      command: 'hostEnrol',
      options: {
        director: 'https://127.0.0.1:12500',
        caFingerprint: 'sha256:ab',
        token: 'wharf_r1_s',
        roles: 'allocator,proxy',
        hostId: 'h2',
      },
    });
    expect((await parse(['host', 'enrol', '--roles', 'proxy'])).code).toBe(1);
    expect((await parse(['host', 'list', '--json'])).calls[0]).toMatchObject({
      command: 'hostList',
      options: { json: true },
    });
    expect((await parse(['host', 'roles', 'h2', 'proxy'])).calls[0]).toMatchObject({
      command: 'hostRoles',
      id: 'h2',
      options: { roles: 'proxy' },
    });
    expect((await parse(['host', 'roles', 'h2', '', '--force'])).calls[0]).toMatchObject({
      command: 'hostRoles',
      options: { force: true },
    });
  });

  it('parses allocator vacate with targets and tracking', async () => {
    expect(
      (await parse(['allocator', 'vacate', 'a1', '--target', 'b1,c1', '--track'])).calls[0],
    ).toMatchObject({
      command: 'allocatorVacate',
      id: 'a1',
      options: { target: 'b1,c1', track: true },
    });
    expect((await parse(['allocator', 'vacate'])).code).toBe(1);
  });

  it('parses apikey create, list and revoke', async () => {
    expect(
      (await parse(['apikey', 'create', '--description', 'ci', '--expires-in', '3600'])).calls[0],
    ).toMatchObject({ command: 'apiKeyCreate', options: { description: 'ci', expiresIn: '3600' } });
    expect((await parse(['apikey', 'create', '--role', 'viewer'])).calls[0]).toMatchObject({
      command: 'apiKeyCreate',
      options: { role: 'viewer' },
    });
    expect((await parse(['apikey', 'list', '--json'])).calls[0]).toMatchObject({
      command: 'apiKeyList',
      options: { json: true },
    });
    expect((await parse(['apikey', 'revoke', 'k123'])).calls[0]).toMatchObject({
      command: 'apiKeyRevoke',
      id: 'k123',
    });
    expect((await parse(['snapshot', 'delete', 'd1', 's1'])).calls[0]).toMatchObject({
      command: 'snapshotDelete',
      id: 'd1',
      options: { snapshot: 's1' },
    });
  });

  it('parses template and instance-configuration list and show', async () => {
    expect((await parse(['template', 'list', '--json'])).calls[0]).toMatchObject({
      command: 'templateList',
      options: { json: true },
    });
    expect((await parse(['template', 'show', 'etcd-default'])).calls[0]).toMatchObject({
      command: 'templateShow',
      id: 'etcd-default',
    });
    expect((await parse(['instance-configuration', 'list'])).calls[0]).toMatchObject({
      command: 'instanceConfigurationList',
    });
    expect((await parse(['instance-configuration', 'show', 'etcd.small'])).calls[0]).toMatchObject({
      command: 'instanceConfigurationShow',
      id: 'etcd.small',
    });
  });

  it('rejects unknown options and commands with exit code 1', async () => {
    expect((await parse(['up', '--bogus'])).code).toBe(1);
    expect((await parse(['nope'])).code).toBe(1);
  });

  it('documents the environment variable of every up option', async () => {
    const { out, code } = await parse(['up', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('--proxy-ports  WHARF_PROXY_PORTS');
    expect(out).not.toContain('--supervisor');
  });
});
