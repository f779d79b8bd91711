// Shared set-up for the appointment tests: a service, an advisor linked in the emulator with an
// API key (how the booking module calls), settings, bookings, and looks into Redis and the phone.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { updateConfig } from '../../src/db/repositories/whatsapp-config.repository.js';
import { whatsappConfig, whatsappMessage } from '../../src/db/schema/index.js';
import { NAME_CHANGE_GRACE_MS } from '../../src/domain/appointments/rename-plans.js';
import { HttpClient } from '../support/http.js';
import type { TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import { connectedAdvisor, sentByPhone, type ConnectedAdvisor } from '../support/whatsapp.js';

export interface BookingAdvisor extends ConnectedAdvisor {
  /** Calls as the booking module does: x-api-key, no cookie. */
  api: HttpClient;
}

/** Quiet hours off by default: tests that fire messages must not depend on the hour they run at. */
export async function bookingAdvisor(
  service: TestService,
  name = 'Ana',
  settings: Record<string, unknown> = {},
): Promise<BookingAdvisor> {
  const advisor = await connectedAdvisor(service, name);
  const key = await advisor.client.post('/api/api-keys', { name: 'booking' });
  if (key.status !== 201) throw new Error(`api key: ${key.status} ${JSON.stringify(key.body)}`);
  const api = new HttpClient(service.url, { 'x-api-key': key.body.key });
  await setSettings(advisor, { quietHours: null, ...settings });
  return { ...advisor, api };
}

export async function setSettings(
  advisor: ConnectedAdvisor,
  settings: Record<string, unknown>,
): Promise<void> {
  const res = await advisor.client.put('/api/whatsapp/config', { settings });
  if (res.status !== 200) throw new Error(`settings: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function setFeature(service: TestService, advisorId: string, feature: string, on: boolean) {
  const db = service.database.db;
  const [row] = await db.select().from(whatsappConfig).where(eq(whatsappConfig.advisorId, advisorId));
  await updateConfig(db, advisorId, { features: { ...row!.features, [feature]: on } });
}

let phoneSeq = 0;
/** A Spanish mobile number no other test uses. */
export const newPhone = () =>
  `+3465${String(Date.now() % 100_000).padStart(5, '0')}${String(phoneSeq++ % 100).padStart(2, '0')}`;

export const inSeconds = (s: number) => new Date(Date.now() + s * 1_000);

export function booking(over: Record<string, unknown> = {}) {
  return {
    externalId: `bk-${randomUUID()}`,
    clientName: 'Marta',
    clientPhone: newPhone(),
    startsAt: inSeconds(3 * 86_400).toISOString(),
    timezone: 'Europe/Madrid',
    ...over,
  };
}

export const byPurpose = (messages: any[], purpose: string) => messages.filter((m) => m.purpose === purpose);
export const onlyOne = (messages: any[], purpose: string) => {
  const found = byPurpose(messages, purpose);
  if (found.length !== 1) throw new Error(`expected one ${purpose}, got ${JSON.stringify(found)}`);
  return found[0];
};

export const detail = async (advisor: BookingAdvisor, externalId: string) =>
  (await advisor.api.get(`/api/appointments/${encodeURIComponent(externalId)}`)).body;

export async function messageStatus(advisor: BookingAdvisor, id: string): Promise<any> {
  return (await advisor.client.get(`/api/whatsapp/messages/${id}`)).body;
}

export async function waitForStatus(
  advisor: BookingAdvisor,
  id: string,
  statuses: string[],
  timeoutMs = 15_000,
) {
  return waitFor(
    () => messageStatus(advisor, id),
    (m) => statuses.includes(m.status),
    { timeoutMs, what: `message ${id} in ${statuses.join('|')}` },
  );
}

/** Texts the emulated phone sent to this number. */
export async function textsTo(advisor: BookingAdvisor, phone: string): Promise<string[]> {
  return (await sentByPhone(advisor)).filter((m) => `+${m.number}` === phone).map((m) => m.text as string);
}

/** Whether the send queue holds a job for this message (any state). */
export async function jobExists(service: TestService, messageId: string): Promise<boolean> {
  const prefix = service.config.redis.prefix;
  return (await service.runtime.redis.exists(`${prefix}:send:send-${messageId}`)) === 1;
}

/** The delay BullMQ holds for a delayed job: its due time in ms since the epoch, or null. */
export async function jobDueAt(service: TestService, messageId: string): Promise<number | null> {
  const job = await service.runtime.messages.queue.getJob(`send-${messageId}`);
  if (!job || !(await job.isDelayed())) return null;
  return job.timestamp + (job.opts.delay ?? 0);
}

/** The advisor's audit entries about one message, newest first (GET /api/whatsapp/audit). */
export async function auditOf(advisor: BookingAdvisor, messageId: string): Promise<any[]> {
  const res = await advisor.client.get('/api/whatsapp/audit?limit=200');
  return (res.body.items as any[]).filter((e) => e.messageId === messageId);
}

/** The message's row as stored, with what the API does not show (template id, claim). */
export const messageRow = async (service: TestService, id: string) =>
  (await service.database.db.select().from(whatsappMessage).where(eq(whatsappMessage.id, id)))[0]!;

/** The advisor's marks of a change of name not rendered yet (0 or 1: migration 0024). */
export async function nameChangeMarks(service: TestService, advisorId: string): Promise<number> {
  const rows = await service.database.db.execute(
    sql`select count(*)::int as n from advisor_name_change where advisor_id = ${advisorId}`,
  );
  return Number((rows as unknown as { rows: { n: number }[] }).rows[0]!.n);
}

/** Makes the mark old enough for the sweeper, which leaves young ones to the auth route. */
export async function ageNameChangeMark(service: TestService, advisorId: string): Promise<void> {
  await service.database.db.execute(
    sql`update advisor_name_change set changed_at = now() - make_interval(secs => ${(NAME_CHANGE_GRACE_MS / 1000) * 2})
        where advisor_id = ${advisorId}`,
  );
}
