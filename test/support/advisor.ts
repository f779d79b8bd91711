// A signed-up advisor whose WhatsApp is linked in the emulator, ready to send.
import { HttpClient, signUpAdvisor } from './http.js';
import type { TestService } from './service.js';
import { waitFor } from './wait.js';

export interface ConnectedAdvisor {
  client: HttpClient;
  userId: string;
  instanceName: string;
  emulator: HttpClient;
}

export async function connectedAdvisor(
  service: Pick<TestService, 'url' | 'emulatorUrl'>,
  name = 'Ana',
  phone?: string,
): Promise<ConnectedAdvisor> {
  const { client, userId } = await signUpAdvisor(service.url, name);
  const emulator = new HttpClient(service.emulatorUrl);
  await client.post('/api/whatsapp/connect');
  const { instanceName } = (await client.get('/api/whatsapp/config')).body;
  await emulator.post(`/_emulator/instances/${instanceName}/scan`, phone ? { phone } : {});
  // The state poll makes this independent of webhook timing.
  await waitFor(
    () => client.get('/api/whatsapp/config?refresh=true'),
    (r) => r.body.status === 'connected',
    { what: `${name} connected` },
  );
  return { client, userId, instanceName, emulator };
}

/** What the emulated phone sent for this instance, in order. */
export async function sentByPhone(advisor: ConnectedAdvisor): Promise<any[]> {
  const res = await advisor.emulator.get(`/_emulator/instances/${advisor.instanceName}/sent`);
  return Array.isArray(res.body) ? res.body : (res.body.items ?? res.body.sent ?? []);
}
