// A relay in front of the test PostgreSQL that a test can cut (its port really closes: the
// listener stops and every relayed socket drops) and restore, the way an unreachable database
// looks to the service. Over TCP, or over a Unix socket as a same-host deployment uses.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A relay to PostgreSQL that can be cut (the listener stops, every relayed socket drops) and restored. */
export interface Relay {
  /** The database URL that goes through the relay. */
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  /**
   * Stops relaying without closing anything, as a database that no longer answers looks (a host
   * gone silent, packets dropped in a failover): connections stay open, queries get no answer,
   * new connections are accepted and then hear nothing. `thaw` relays again what was held.
   */
  freeze(): void;
  thaw(): void;
  /**
   * A failover: the connections open now stay open and never carry another byte (the old
   * primary's packets dropped), while new connections are relayed again (the standby promoted).
   */
  failover(): void;
  close(): void;
}

export type Transport = 'tcp' | 'unix socket';

export async function startRelay(target: URL, transport: Transport): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const stranded = new Set<net.Socket>();
  let frozen = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        stranded.delete(s);
      });
    }
    client.pipe(upstream).pipe(client);
    if (frozen) for (const s of [client, upstream]) s.pause();
  });
  const relayed = new URL(target);
  let dir: string | null = null;
  let listen: (done: () => void) => void;
  if (transport === 'unix socket') {
    // node-postgres connects to <host>/.s.PGSQL.<port>, as libpq does.
    dir = mkdtempSync(path.join(tmpdir(), 'ww-pg-'));
    const socketPath = path.join(dir, '.s.PGSQL.5432');
    listen = (done) => server.listen(socketPath, done);
  } else {
    // Port 0 the first time; the same port again when restored.
    let port = 0;
    listen = (done) =>
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as net.AddressInfo).port;
        done();
      });
  }
  await new Promise<void>((resolve) => listen(resolve));
  if (dir) {
    relayed.hostname = 'localhost';
    relayed.port = '';
    relayed.searchParams.set('host', dir);
  } else {
    relayed.hostname = '127.0.0.1';
    relayed.port = String((server.address() as net.AddressInfo).port);
  }
  return {
    url: relayed.toString(),
    cut: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
    restore: () => new Promise<void>((resolve) => listen(resolve)),
    freeze: () => {
      frozen = true;
      for (const s of sockets) s.pause();
    },
    thaw: () => {
      frozen = false;
      for (const s of sockets) if (!stranded.has(s)) s.resume();
    },
    failover: () => {
      for (const s of sockets) {
        s.pause();
        stranded.add(s);
      }
      frozen = false;
    },
    close: () => {
      server.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
