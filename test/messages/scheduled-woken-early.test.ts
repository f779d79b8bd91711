// A scheduled message whose job runs before its time. Nothing in the send path looked at
// `scheduledAt`: the job's delay was the only thing holding the message back, so any early wake
// sent it at once, hours or days ahead of the time the advisor chose. The queue dashboard offers
// exactly that to admins ("Promote" on a delayed job, "Promote all" on the `send` queue, which
// wakes every advisor's scheduled messages at once). The worker now sends a `scheduled` row only
// once it is due, and puts an early job back to wait for that instant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJobId } from '../../src/jobs/catalogue.js';
import { startServiceWithAdmin } from '../support/admin.js';
import type { HttpClient } from '../support/http.js';
import type { TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone } from '../support/whatsapp.js';

let service: TestService;
let admin: HttpClient;
beforeAll(async () => {
  ({ service, admin } = await startServiceWithAdmin());
});
afterAll(async () => {
  await service?.close();
});

describe('a scheduled message woken before its time', () => {
  it("waits for its time when an admin promotes the send queue's delayed jobs", async () => {
    const ana = await connectedAdvisor(service, 'Ana Programa');
    const at = new Date(Date.now() + 3_600_000);
    const res = await ana.client.post('/api/whatsapp/send', {
      to: '+34612000451',
      text: 'Recordatorio para dentro de una hora',
      scheduledAt: at.toISOString(),
    });
    expect(res.status).toBe(202);
    expect(res.body.message.status).toBe('scheduled');
    const id = res.body.message.id as string;
    const queue = service.runtime.messages.queue;
    expect(await queue.getJobState(sendJobId(id))).toBe('delayed');

    expect((await admin.put('/admin/queues/api/queues/send/promote', {})).status).toBe(200);

    // The promoted job ran once: it either sent the message or went back to waiting. Its row is
    // read with the job: the worker's claim (`sending`) is given back a moment after the job is
    // delayed again, so a row still `sending` beside a delayed job is waited past, not judged (a
    // CI run on a loaded machine caught it in between).
    const job = await waitFor(
      async () => ({
        job: await queue.getJob(sendJobId(id)),
        state: await queue.getJobState(sendJobId(id)),
        row: (await ana.client.get(`/api/whatsapp/messages/${id}`)).body,
      }),
      ({ row, job, state }) =>
        !['scheduled', 'sending'].includes(row.status) ||
        (row.status === 'scheduled' && state === 'delayed' && job?.processedOn !== undefined),
      { what: 'the promoted job having run and its row given back' },
    );
    expect(job.row.status).toBe('scheduled');
    expect(job.row.attempts).toBe(0);
    expect(await sentByPhone(ana)).toEqual([]);
    // Back to waiting for the time the advisor chose.
    expect(job.job!.delay + job.job!.timestamp).toBeGreaterThanOrEqual(at.getTime() - 1_000);
    expect(job.job!.delay + job.job!.timestamp).toBeLessThanOrEqual(at.getTime() + 1_000);
  });
});
