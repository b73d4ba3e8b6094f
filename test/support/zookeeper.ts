import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

/** Debian's ZooKeeper (package `zookeeper`, installed by .ci/run). */
const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
export const haveZooKeeper = existsSync(ZOOKEEPER_JAR) && existsSync('/usr/bin/java');

export interface ZooKeeper {
  readonly port: number;
  /** A ClickHouse configuration file naming this ZooKeeper, for KeeperMap tables. */
  readonly clickhouseConfig: string;
  /** Stops the server (its data stays), e.g. to see that nothing is sent meanwhile. */
  pause(): Promise<void>;
  /** Starts it again on the same port and data. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A standalone ZooKeeper on 127.0.0.1 with a temporary data directory, started within a bounded
 * wait: it answers `srvr` once it serves.
 */
export async function startZooKeeper(startTimeoutMs = 40_000): Promise<ZooKeeper> {
  const dir = tempDir('vigil-zk-');
  const port = await freePort();
  const data = join(dir.path, 'data');
  mkdirSync(data);
  const config = join(dir.path, 'zoo.cfg');
  writeFileSync(
    config,
    [
      'tickTime=500',
      'initLimit=10',
      'syncLimit=5',
      `dataDir=${data}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      '4lw.commands.whitelist=srvr,ruok',
      'maxSessionTimeout=10000',
    ].join('\n'),
  );
  const clickhouseConfig = join(dir.path, 'clickhouse-keeper.xml');
  writeFileSync(
    clickhouseConfig,
    `<clickhouse>
  <zookeeper>
    <node><host>127.0.0.1</host><port>${port}</port></node>
    <session_timeout_ms>4000</session_timeout_ms>
    <operation_timeout_ms>2000</operation_timeout_ms>
    <connection_timeout_ms>1000</connection_timeout_ms>
  </zookeeper>
  <keeper_map_path_prefix>/keeper_map</keeper_map_path_prefix>
</clickhouse>
`,
  );

  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      '/usr/bin/java',
      [
        '-Xmx256m',
        '-cp',
        `${ZOOKEEPER_JAR}:/usr/share/java/*`,
        `-Dzookeeper.log.dir=${dir.path}`,
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        config,
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + startTimeoutMs;
    while (!(await answers(port))) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`ZooKeeper did not start on 127.0.0.1:${port} within ${startTimeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const halt = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    port,
    clickhouseConfig,
    pause: halt,
    resume: start,
    async stop() {
      await halt();
      dir.remove();
    },
  };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('srvr'));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text.includes('Mode: standalone')));
    socket.on('error', () => resolve(false));
    socket.setTimeout(1000, () => socket.destroy());
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
