// A reverse proxy in front of Evolution answers 404 with its own body while it cannot route to
// Evolution: Traefik's "404 page not found" while the Evolution container restarts (its router
// goes with the container), nginx's HTML page for a location it does not know. Evolution's own
// 404s are its error envelope (evolution-api.md §2, §6.2: `{"status":404,"error":"Not Found",
// "response":{"message":["The \"x\" instance does not exist"]}}`). The client took every 404 but
// Express's "Cannot GET" for an unknown instance: during such a restart the dashboard's refresh
// marked a linked number disconnected, and a removal was reported done while the instance, with
// the advisor's phone still linked to it, lived on at the gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { startServiceBehindProxy, type ServiceBehindProxy } from '../support/service-behind-proxy.js';
import { connectedAdvisor, type ConnectedAdvisor } from '../support/whatsapp.js';

const GATEWAY_KEY = 'proxy-not-found-gateway-key';

let service: ServiceBehindProxy;

beforeAll(async () => {
  // While down, the proxy answers as Traefik does when it has no route.
  service = await startServiceBehindProxy(
    { EVOLUTION_API_KEY: GATEWAY_KEY, PACING_MODE: 'off' },
    { status: 404, contentType: 'text/plain; charset=utf-8', body: '404 page not found\n' },
    { statusDelaysMs: null },
  );
}, 60_000);

afterAll(async () => {
  await service?.close();
});

async function linked(name: string): Promise<ConnectedAdvisor> {
  // The emulator's control API is reached directly: only the service goes through the proxy.
  return connectedAdvisor(
    { url: service.url, emulatorUrl: service.gateway.url, runtime: service.runtime },
    name,
  );
}

/** Whether the emulator still has the instance, asked with the global key past the proxy. */
async function gatewayHas(instanceName: string): Promise<boolean> {
  const res = await fetch(`${service.gateway.url}/instance/fetchInstances`, {
    headers: { apikey: GATEWAY_KEY },
  });
  const rows = (await res.json()) as { name: string }[];
  return rows.some((row) => row.name === instanceName);
}

describe("a proxy's 404 while it cannot reach Evolution", { timeout: 60_000 }, () => {
  it('is no lost instance: a refresh keeps the linked number connected', async () => {
    const ana = await linked('Ana Proxy');
    service.proxy.down = true;
    try {
      const res = await ana.client.get('/api/whatsapp/config?refresh=true');
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('connected');
    } finally {
      service.proxy.down = false;
    }
    expect((await findConfig(service.runtime.ctx.db, ana.userId))!.status).toBe('connected');
  });

  it('is no deleted instance: a removal is refused and can be made once the proxy routes again', async () => {
    const bea = await linked('Bea Proxy');
    service.proxy.down = true;
    try {
      const res = await bea.client.delete('/api/whatsapp/config');
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('gateway_unavailable');
    } finally {
      service.proxy.down = false;
    }
    // Nothing was forgotten on our side, and the instance (with the phone) is still there.
    const row = await findConfig(service.runtime.ctx.db, bea.userId);
    expect(row).toMatchObject({ status: 'connected', instanceName: bea.instanceName });
    expect(await gatewayHas(bea.instanceName)).toBe(true);

    expect((await bea.client.delete('/api/whatsapp/config')).status).toBe(200);
    expect(await gatewayHas(bea.instanceName)).toBe(false);
  });
});
