// "Cancelar envío": POST /api/whatsapp/messages/:id/cancel stops a scheduled or queued message for
// good; one already taken by a worker or sent answers 409, and nobody else's message is reachable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJobId } from '../../src/jobs/catalogue.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let ana: ConnectedAdvisor;
let bea: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({ env: { RECONNECT_POLL_MS: '200' } });
  ana = await connectedAdvisor(service, 'Ana');
  bea = await connectedAdvisor(service, 'Bea');
});
afterAll(async () => {
  await service?.close();
});

const message = (advisor: ConnectedAdvisor, id: string) => advisor.client.get(`/api/whatsapp/messages/${id}`);
const cancel = (advisor: ConnectedAdvisor, id: string) =>
  advisor.client.post(`/api/whatsapp/messages/${id}/cancel`);
const auditOf = async (advisor: ConnectedAdvisor, id: string) =>
  (
    (await advisor.client.get('/api/whatsapp/audit?limit=200')).body.items as {
      action: string;
      messageId: string;
    }[]
  )
    .filter((e) => e.messageId === id)
    .map((e) => e.action);

describe('POST /api/whatsapp/messages/:id/cancel', () => {
  it('cancels a scheduled message, drops its job, and it never goes out', async () => {
    const at = new Date(Date.now() + 2_500);
    const res = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000301',
      text: 'Programado por error',
      scheduledAt: at.toISOString(),
    });
    expect(res.body.message.status).toBe('scheduled');
    const id = res.body.message.id as string;
    expect(await service.runtime.messages.queue.getJob(sendJobId(id))).toBeTruthy();

    const cancelled = await cancel(ana, id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.message).toMatchObject({
      id,
      status: 'cancelled',
      error: { code: 'cancelled_by_advisor' },
    });
    expect(await service.runtime.messages.queue.getJob(sendJobId(id))).toBeFalsy();

    // Past its time, with a control message sent after it: the control arrives, the cancelled one never.
    await new Promise((r) => setTimeout(r, at.getTime() - Date.now() + 500));
    await ana.client.post('/api/whatsapp/send', { to: '+34612000301', text: 'Control' });
    await waitFor(
      async () => (await sentByPhone(ana)).map((m) => m.text),
      (texts) => texts.includes('Control'),
      { what: 'the control message on the phone' },
    );
    expect((await sentByPhone(ana)).map((m) => m.text)).not.toContain('Programado por error');
    expect((await message(ana, id)).body.status).toBe('cancelled');
    expect(await auditOf(ana, id)).toEqual(['message.cancel', 'message.schedule']);
  });

  it('answers a repeated cancel with the same message and writes no second audit entry', async () => {
    const res = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000302',
      text: 'Dos veces',
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const id = res.body.message.id as string;
    const both = await Promise.all([cancel(ana, id), cancel(ana, id), cancel(ana, id)]);
    expect(both.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(both.every((r) => r.body.message.status === 'cancelled')).toBe(true);
    expect((await auditOf(ana, id)).filter((a) => a === 'message.cancel')).toHaveLength(1);
  });

  it('cancels a message queued while the number is disconnected, which stays unsent after reconnecting', async () => {
    const carla = await connectedAdvisor(service, 'Carla');
    await carla.emulator.post(`/_emulator/instances/${carla.instanceName}/disconnect`, { statusReason: 401 });
    await waitFor(
      () => carla.client.get('/api/whatsapp/config?refresh=true'),
      (r) => r.body.status === 'disconnected',
    );
    const stopped = await carla.client.post('/api/whatsapp/send', {
      to: '+34612000303',
      text: 'No lo envíes',
    });
    const kept = await carla.client.post('/api/whatsapp/send', { to: '+34612000303', text: 'Este sí' });
    expect(stopped.body.message.status).toBe('queued');
    expect((await cancel(carla, stopped.body.message.id)).body.message.status).toBe('cancelled');

    await carla.client.post('/api/whatsapp/connect');
    await carla.emulator.post(`/_emulator/instances/${carla.instanceName}/scan`, { phone: carla.phone });
    await waitFor(
      () => message(carla, kept.body.message.id),
      (r) => r.body.sentAt !== null,
      { what: 'the kept message sent after reconnecting' },
    );
    expect((await sentByPhone(carla)).map((m) => m.text)).toEqual(['Este sí']);
    expect((await message(carla, stopped.body.message.id)).body.status).toBe('cancelled');
  });

  it('refuses a message that already went out (409 with its status) and leaves it as it was', async () => {
    const res = await ana.client.post('/api/whatsapp/send', { to: '+34612000304', text: 'Ya enviado' });
    const id = res.body.message.id as string;
    await waitFor(
      () => message(ana, id),
      (r) => r.body.sentAt !== null,
      { what: 'sent' },
    );
    const refused = await cancel(ana, id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('state_conflict');
    // The emulator's delivery and read receipts keep moving the message on meanwhile (a CI run saw
    // 'delivered' after reading 'sent'): the 409 names the status it had when refused.
    const wentOut = ['sent', 'delivered', 'read'];
    expect(wentOut).toContain(refused.body.error.details.status);
    expect(wentOut).toContain((await message(ana, id)).body.status);
    expect(await auditOf(ana, id)).not.toContain('message.cancel');
  });

  it("is 404 for another advisor's message, an unknown id and a non-uuid, and changes nothing", async () => {
    const res = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000305',
      text: 'Solo de Ana',
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const id = res.body.message.id as string;
    const foreign = await cancel(bea, id);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('not_found');
    expect((await cancel(bea, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await cancel(bea, 'not-a-uuid')).status).toBe(404);
    expect((await message(ana, id)).body.status).toBe('scheduled');
    expect(await service.runtime.messages.queue.getJob(sendJobId(id))).toBeTruthy();
    expect(await auditOf(bea, id)).toEqual([]);
  });

  it('needs a caller (401 without credentials)', async () => {
    const res = await fetch(
      `${service.url}/api/whatsapp/messages/00000000-0000-4000-8000-000000000000/cancel`,
      {
        method: 'POST',
      },
    );
    expect(res.status).toBe(401);
  });
});
