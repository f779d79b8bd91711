// A cancel while a timed-out attempt may still reach WhatsApp. The row is `queued` again (the
// retry waits SEND_UNCERTAIN_RETRY_MS for the attempt's echo), so the cancel used to succeed: the
// echo then found no waiting row to adopt (only queued/sending rows adopt one) and the history
// said "cancelled" for a message the client had received. While the attempt is uncertain the
// message counts as in flight, like a `sending` one: the cancel answers 409 and the echo records it.
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { findMessage } from '../../src/db/repositories/message.repository.js';
import { whatsappMessage } from '../../src/db/schema/index.js';
import { waitFor } from '../support/wait.js';
import { sentByPhone } from '../support/whatsapp.js';
import {
  SLOW_GATEWAY_LATENCY_MS as GATEWAY_LATENCY_MS,
  useSlowGatewayService,
} from '../support/slow-gateway.js';

const UNCERTAIN_WAIT_MS = 4_000;

const slow = useSlowGatewayService(UNCERTAIN_WAIT_MS);
afterEach(async () => {
  await slow.ana.emulator.delete('/_emulator/faults');
});

const cancel = (id: string) => slow.ana.client.post(`/api/whatsapp/messages/${id}/cancel`);

describe('cancelling a message whose last attempt timed out', () => {
  it('is refused while the attempt may have gone out, and the echo records the send', async () => {
    const text = 'Tu cita del viernes (cancelada tras un intento lento)';
    await slow.ana.emulator.put('/_emulator/faults', { latencyMs: GATEWAY_LATENCY_MS });
    const res = await slow.ana.client.post('/api/whatsapp/send', { to: '+34612000841', text });
    expect(res.status).toBe(202);
    const id = res.body.message.id as string;
    const released = await waitFor(
      () => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, id),
      (row) => row?.attempts === 1 && row.errorCode === 'gateway_timeout',
      { what: 'the timed-out attempt released', intervalMs: 20 },
    );
    expect(released!.status).toBe('queued');

    // Evolution is still sending it: the cancel cannot promise it will not go out.
    const refused = await cancel(id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('state_conflict');
    expect(refused.body.error.details).toMatchObject({ status: 'queued' });

    const sent = await waitFor(
      () => findMessage(slow.service.runtime.ctx.db, slow.ana.userId, id),
      (row) => row?.sentAt != null,
      { what: 'the echo confirming the slow send', timeoutMs: 10_000 },
    );
    expect(['sent', 'delivered', 'read']).toContain(sent!.status);
    expect(sent!.evolutionMessageId).not.toBeNull();
    await slow.ana.emulator.put('/_emulator/faults', { latencyMs: 0 });
    // The retry finds it sent: one copy, and the history says so.
    await new Promise((r) => setTimeout(r, UNCERTAIN_WAIT_MS + 1_000));
    expect((await sentByPhone(slow.ana)).filter((m) => m.text === text)).toHaveLength(1);
    const row = await findMessage(slow.service.runtime.ctx.db, slow.ana.userId, id);
    expect(['sent', 'delivered', 'read']).toContain(row!.status);
    expect((await cancel(id)).status).toBe(409);
  }, 60_000);

  it('is accepted once the wait for the echo is over: the pipeline then takes it as not sent', async () => {
    // A message far in the future, marked as after an uncertain attempt (what releaseForRetry writes).
    const res = await slow.ana.client.post('/api/whatsapp/send', {
      to: '+34612000842',
      text: 'Recordatorio (marca de intento incierto)',
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const id = res.body.message.id as string;
    const mark = (until: Date) =>
      slow.service.runtime.ctx.db
        .update(whatsappMessage)
        .set({ uncertainUntil: until })
        .where(and(eq(whatsappMessage.advisorId, slow.ana.userId), eq(whatsappMessage.id, id)));
    await mark(new Date(Date.now() + 60_000));
    const refused = await cancel(id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.uncertainUntil).toEqual(expect.any(String));
    await mark(new Date(Date.now() - 1));
    const cancelled = await cancel(id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.message.status).toBe('cancelled');
  });
});
