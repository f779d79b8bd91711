// A Redis server of a test's own (redis-server on a free port, nothing saved to disk), for states
// that cannot be made on the shared test Redis without disturbing everyone on it: a replica whose
// master is gone (READONLY, MASTERDOWN), a server out of memory (OOM), a script hogging it (BUSY).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A port nothing listens on (taken, then given back), for a server or a refused connection. */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts redis-server with `config` (`--name value` pairs) and resolves once it accepts connections. */
export async function startPrivateRedis(config: string[] = []): Promise<PrivateRedis> {
  const port = await unusedPort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...config],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`redis-server exited (${code}): ${output}`));
    child.once('exit', onExit);
    child.once('error', reject);
    // Its log says so once it listens; the port answering is the surer sign, so poll it.
    const poll = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        child.off('exit', onExit);
        resolve();
      });
      socket.once('error', () => setTimeout(poll, 20));
    };
    poll();
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        // Killed by a signal, a process has a signalCode and no exitCode.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
