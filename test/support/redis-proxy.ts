// A TCP proxy in front of the test Redis, so a test can take Redis away from a running service
// (every connection reset, new ones refused) the way a crashed or unreachable Redis looks to it.
import net from 'node:net';

export interface RedisProxy {
  url: string;
  /** Redis goes away: open connections are reset and new ones refused. */
  cut(): Promise<void>;
}

export async function startRedisProxy(
  target = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
): Promise<RedisProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port || 6379), hostname);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${address.port}`,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
