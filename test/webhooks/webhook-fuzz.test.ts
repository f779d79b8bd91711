// Throws a few thousand random and mutated payloads at the webhook, many with a valid signature
// (so they get past verification into parsing, storage and processing): the service must never
// answer 5xx, never crash, and must still process every event it accepted.
import { count, eq, isNull, and } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookEvent } from '../../src/db/schema/index.js';
import { seededRandom } from '../support/fuzz.js';
import { startTestService, type TestService } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  connectedAdvisor,
  envelope,
  hubSignature,
  upsertData,
  webhookJwt,
  type ConnectedAdvisor,
} from '../support/whatsapp.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);

let service: TestService;
let ana: ConnectedAdvisor;
beforeAll(async () => {
  service = await startTestService({ env: { WEBHOOK_BODY_LIMIT: String(256 * 1024) } });
  ana = await connectedAdvisor(service, 'Fuzz');
});
afterAll(async () => {
  await service?.close();
});

// Seeded, so a failing run can be replayed with FUZZ_SEED.
const rand = seededRandom(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '😀',
  '__proto__',
  'constructor',
  '{"a":1}',
  '../../etc/passwd',
  'MESSAGES_UPSERT',
  'messages.update',
  'qrcode-updated',
  'STOP',
  'Bája',
  '1',
  'null',
  '1e309',
  '@lid',
  '123@g.us',
  '34612345678@s.whatsapp.net',
  '99999999999999999999@s.whatsapp.net',
  'status@broadcast',
  'x'.repeat(5000),
  '\u202e\u200b',
  "'; drop table whatsapp_message; --",
];

function randomString(): string {
  if (rand() < 0.5) return pick(NASTY_STRINGS);
  let s = '';
  for (let i = int(40); i > 0; i--) s += String.fromCharCode(int(rand() < 0.9 ? 0x80 : 0x10000));
  return s;
}

function randomNumber(): number {
  return pick([
    0,
    -1,
    1,
    2,
    200,
    401,
    1e21,
    -1e21,
    1.5,
    Number.MAX_SAFE_INTEGER,
    1773027345,
    1773027345000,
    1e300,
  ]);
}

function randomJson(depth = 0): unknown {
  const roll = rand();
  if (depth > 3 || roll < 0.15) return pick([null, true, false]);
  if (roll < 0.35) return randomNumber();
  if (roll < 0.6) return randomString();
  if (roll < 0.8) return Array.from({ length: int(4) }, () => randomJson(depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = int(5); i > 0; i--)
    out[pick([randomString(), 'key', 'id', 'status', 'message', 'state'])] = randomJson(depth + 1);
  return out;
}

function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = rand() < 0.5 ? [v] : { n: v };
  return v;
}

let seq = 0;
function validData(event: string): unknown {
  const phone = `+3460${String(1_000_000 + int(8_999_999))}`;
  switch (event) {
    case 'messages.upsert':
      return upsertData(phone, pick(['hola', 'STOP', 'alta', '1', 'no', 'gracias']), `FUZZ${seq++}`, {
        key: { remoteJid: `${phone.slice(1)}@s.whatsapp.net`, fromMe: rand() < 0.2, id: `FUZZ${seq++}` },
      });
    case 'messages.update':
      return {
        keyId: `FUZZ${int(50)}`,
        remoteJid: `${phone.slice(1)}@s.whatsapp.net`,
        fromMe: true,
        status: pick(['SERVER_ACK', 'DELIVERY_ACK', 'READ', 'ERROR', 'PLAYED', 'DELETED']),
      };
    case 'send.message':
      return {
        key: { remoteJid: `${phone.slice(1)}@s.whatsapp.net`, fromMe: true, id: `FUZZ${seq++}` },
        status: 'PENDING',
        message: { conversation: 'x' },
        messageTimestamp: 1773027345,
      };
    case 'connection.update':
      return {
        instance: ana.instanceName,
        state: pick(['open', 'connecting']),
        statusReason: 200,
        wuid: `${ana.phone.slice(1)}@s.whatsapp.net`,
      };
    case 'qrcode.updated':
      return { qrcode: { instance: ana.instanceName, code: '2@abc', base64: null, pairingCode: null } };
    default:
      return randomJson();
  }
}

/** Replaces or deletes a random spot of a JSON value, in place. */
function mutate(value: unknown, rounds: number): unknown {
  for (let r = 0; r < rounds; r++) {
    if (typeof value !== 'object' || value === null) return randomJson();
    let node = value as Record<string, unknown>;
    for (let d = int(4); d > 0; d--) {
      const keys = Object.keys(node);
      const next = keys.length ? node[pick(keys)] : undefined;
      if (typeof next !== 'object' || next === null) break;
      node = next as Record<string, unknown>;
    }
    const keys = Object.keys(node);
    const key = keys.length && rand() < 0.7 ? pick(keys) : randomString();
    const action = rand();
    if (action < 0.2) delete node[key];
    else if (action < 0.3) node[key] = deep(20 + int(80));
    else if (action < 0.4) node[key] = [randomJson(), node[key], randomJson()];
    else node[key] = randomJson();
  }
  return value;
}

const EVENTS = [
  'messages.upsert',
  'messages.update',
  'send.message',
  'connection.update',
  'qrcode.updated',
  'MESSAGES_UPSERT',
  'contacts.upsert',
  'call',
];

interface Case {
  body: string;
  headers: Record<string, string>;
  path: string;
}

function makeCase(): Case {
  let body: string;
  const kind = rand();
  if (kind < 0.1) {
    body = Buffer.from(Array.from({ length: int(300) }, () => int(256))).toString('latin1');
  } else if (kind < 0.15) {
    body = JSON.stringify(envelope(ana.instanceName, 'messages.upsert', validData('messages.upsert'))).slice(
      0,
      int(200),
    );
  } else if (kind < 0.25) {
    body = JSON.stringify(randomJson());
  } else {
    const event = pick(EVENTS);
    const base = envelope(ana.instanceName, event, validData(event.toLowerCase().replace('_', '.')));
    if (rand() < 0.3) base.data = [base.data, validData(event), randomJson()];
    body = JSON.stringify(kind < 0.45 ? base : mutate(base, 1 + int(3)));
  }
  const headers: Record<string, string> = {};
  const auth = rand();
  if (auth < 0.6) headers.authorization = `Bearer ${webhookJwt(ana.secret)}`;
  else if (auth < 0.7) headers['x-webhook-secret'] = ana.secret;
  else if (auth < 0.8) {
    headers.authorization = `Bearer ${webhookJwt(ana.secret)}`;
    headers['x-hub-signature-256'] =
      rand() < 0.7
        ? hubSignature(ana.secret, body)
        : `sha256=${Buffer.from(randomString()).toString('base64').slice(0, 80)}`;
  } else if (auth < 0.9)
    headers.authorization = pick(['Bearer', 'Bearer a.b.c', `Bearer ${'x'.repeat(5000)}`, 'Basic Zm9v']);
  if (rand() < 0.05)
    headers['content-type'] = pick([
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
    ]);
  const path =
    rand() < 0.8
      ? '/api/whatsapp/webhook'
      : `/api/whatsapp/webhook/${encodeURIComponent(Buffer.from(pick(['messages-upsert', 'MESSAGES_UPDATE', 'send.message', randomString()])).toString())}`;
  return { body, headers, path };
}

describe('webhook fuzzing', () => {
  it(
    `survives ${CASES} random and mutated payloads (seed ${SEED}) without a 5xx`,
    { timeout: 240_000 },
    async () => {
      const statuses = new Map<number, number>();
      const failures: { status: number; body: string; response: string }[] = [];
      const cases = Array.from({ length: CASES }, makeCase);
      let next = 0;
      const worker = async () => {
        while (next < cases.length) {
          const c = cases[next++]!;
          const res = await fetch(service.url + c.path, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...c.headers },
            body: c.body,
          });
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 500)
            failures.push({ status: res.status, body: c.body.slice(0, 300), response: text.slice(0, 300) });
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));

      if (process.env.FUZZ_VERBOSE) console.log(Object.fromEntries(statuses));
      expect(failures).toEqual([]);
      // Every kind of outcome was exercised.
      expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([200, 400, 401]));
      expect((await fetch(`${service.url}/health`)).status).toBe(200);

      // Everything accepted gets processed (or, at worst, kept with its error): none is stuck.
      const unprocessed = async () => {
        const [row] = await service.database.db
          .select({ n: count() })
          .from(webhookEvent)
          .where(and(eq(webhookEvent.advisorId, ana.userId), isNull(webhookEvent.processedAt)));
        return row!.n;
      };
      await waitFor(unprocessed, (n) => n === 0, {
        timeoutMs: 120_000,
        intervalMs: 250,
        what: 'all events processed',
      });
      const failed = await service.database.db
        .select({ event: webhookEvent.event, error: webhookEvent.error })
        .from(webhookEvent)
        .where(and(eq(webhookEvent.advisorId, ana.userId)));
      const givenUp = failed.filter((f) => f.error !== null);
      expect(givenUp).toEqual([]);
      // A good share went all the way through verification, storage and processing.
      expect(failed.length).toBeGreaterThan(CASES / 10);
      expect(statuses.get(200)).toBeGreaterThan(CASES / 10);
    },
  );
});
