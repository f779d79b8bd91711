// Where this process's Redis and database are, so that a socket error (`connect ECONNREFUSED
// 10.0.0.7:6380`) is put down to the dependency whose endpoint it names, whatever its port: a
// managed Redis on 25061 or a PgBouncer on 6432 is an outage like any other (the API answers 503,
// a send's last attempt holds its message). Matching by the default ports alone missed them, and
// the same refusal from anything else (the gateway, a webhook target, a media URL) must never be
// taken for either. The process registers its endpoints once at start-up (src/runtime.ts);
// nothing registered (a unit test, a script), dependencyDown falls back to the default ports.
import { isIP } from 'node:net';
import type { Dependency } from './dependency-down.js';

export interface DependencyEndpoint {
  dependency: Dependency;
  /** As configured: a name, or an IP address (lower case, no brackets). */
  host: string;
  port: number;
}

const registered: DependencyEndpoint[] = [];

/** The endpoint a redis:// or rediss:// URL names (ioredis's defaults: localhost, 6379). */
export function redisEndpoint(url: string): DependencyEndpoint | null {
  return endpointOf('redis', url, 6379);
}

/**
 * The endpoint a postgres:// URL names (node-postgres's defaults: localhost, 5432). None for a
 * Unix socket (`?host=/var/run/postgresql`): dependencyDown knows those by their socket path.
 */
export function databaseEndpoint(url: string): DependencyEndpoint | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const hostParam = parsed.searchParams.get('host');
  if (hostParam?.startsWith('/')) return null;
  const endpoint = endpointOf('database', url, 5432);
  return endpoint && hostParam ? { ...endpoint, host: normalHost(hostParam) } : endpoint;
}

function endpointOf(dependency: Dependency, url: string, defaultPort: number): DependencyEndpoint | null {
  try {
    const parsed = new URL(url);
    return {
      dependency,
      host: normalHost(parsed.hostname || 'localhost'),
      port: parsed.port ? Number(parsed.port) : defaultPort,
    };
  } catch {
    return null;
  }
}

/** Registers endpoints until the returned function is called (the process's close). */
export function registerDependencyEndpoints(endpoints: (DependencyEndpoint | null)[]): () => void {
  const added = endpoints.filter((e): e is DependencyEndpoint => e !== null);
  registered.push(...added);
  return () => {
    for (const endpoint of added) {
      const at = registered.indexOf(endpoint);
      if (at >= 0) registered.splice(at, 1);
    }
  };
}

export function hasRegisteredEndpoints(): boolean {
  return registered.length > 0;
}

/**
 * Whose endpoint a failed connection was to: its port must be a registered one, and its address
 * that endpoint's host when the host is an address (or localhost). A host configured by name
 * matches on the port alone: which addresses the name stands for is DNS's answer, and it may
 * change on a failover, the very moment its errors must be recognised.
 */
export function dependencyAt(address: string | undefined, port: number): Dependency | null {
  const found = registered.find(
    (e) => e.port === port && (address === undefined || sameHost(e.host, normalHost(address))),
  );
  return found?.dependency ?? null;
}

/** Whose host a failed name lookup (ENOTFOUND, EAI_AGAIN) was for. */
export function dependencyNamed(hostname: string): Dependency | null {
  const name = normalHost(hostname);
  return registered.find((e) => e.host === name)?.dependency ?? null;
}

function sameHost(configured: string, address: string): boolean {
  if (configured === 'localhost') return isLoopback(address);
  return !isIP(configured) || configured === address;
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

function normalHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}
