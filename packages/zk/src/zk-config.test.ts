import { javaArgs, renderLog4j, renderZooCfg, SERVER_JARS, ZOOKEEPER_MAIN_CLASS } from './zk-config';
import { firstServer } from './four-letter';

describe('embedded server config', () => {
  test('zoo.cfg binds loopback, disables the admin server, bounds sessions', () => {
    const cfg = renderZooCfg({
      dataDir: '/d',
      host: '127.0.0.1',
      port: 2999,
      tickTimeMs: 200,
      maxSessionTimeoutMs: 4000,
    });
    expect(cfg.split('\n')).toEqual(
      expect.arrayContaining([
        'tickTime=200',
        'dataDir=/d',
        'clientPortAddress=127.0.0.1',
        'clientPort=2999',
        'admin.enableServer=false',
        '4lw.commands.whitelist=*',
        'minSessionTimeout=400',
        'maxSessionTimeout=4000',
      ]),
    );
  });

  test('argv runs QuorumPeerMain directly with the jar classpath and our log4j file', () => {
    const args = javaArgs('/usr/share/java', '/d/zoo.cfg', '/d/log4j.properties');
    expect(args.slice(-2)).toEqual([ZOOKEEPER_MAIN_CLASS, '/d/zoo.cfg']);
    const cp = args[args.indexOf('-cp') + 1]?.split(':');
    expect(cp).toEqual(SERVER_JARS.map((j) => `/usr/share/java/${j}`));
    expect(args).toContain('-Dlog4j.configuration=file:/d/log4j.properties');
    expect(renderLog4j('/d/zookeeper.log')).toContain('log4j.appender.FILE.File=/d/zookeeper.log');
  });

  test('firstServer parses connect strings', () => {
    expect(firstServer('10.0.0.1:2888,10.0.0.2:2888/wharf')).toEqual({ host: '10.0.0.1', port: 2888 });
    expect(firstServer('zk')).toEqual({ host: 'zk', port: 2181 });
  });
});
