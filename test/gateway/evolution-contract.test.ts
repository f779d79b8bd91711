import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../emulator/server.js';
import { EvolutionClient } from '../../src/gateway/evolution-client.js';
import { DEFAULT_WEBHOOK_EVENTS } from '../../src/gateway/types.js';
import type { InstanceRef, SendResult } from '../../src/gateway/types.js';
import type { MessageEvent, WebhookEvent } from '../../src/gateway/webhook-event-types.js';
import { closedPort, rejectionOf } from './scripted-server.js';
import { eventually, PIXEL_PNG_BASE64, startWebhookReceiver } from './webhook-receiver.js';
import type { WebhookReceiver } from './webhook-receiver.js';

/**
 * The gateway's contract with Evolution API, over real HTTP. By default against the emulator;
 * against a real Evolution API (2.3.x) when EVOLUTION_CONTRACT_URL and EVOLUTION_CONTRACT_KEY are
 * set. A real server has no phone to scan the QR, so the steps that need a linked WhatsApp run
 * there only when EVOLUTION_CONTRACT_INSTANCE, EVOLUTION_CONTRACT_TOKEN (an already linked
 * instance) and EVOLUTION_CONTRACT_TO (an E.164 number that may receive test messages) are set.
 * Emulator-only steps (scan, faults, webhooks back to this process) are skipped there; sendMedia
 * by URL then needs EVOLUTION_CONTRACT_MEDIA_URL, an image the server can download.
 */
const realUrl = process.env.EVOLUTION_CONTRACT_URL;
const realKey = process.env.EVOLUTION_CONTRACT_KEY;
const real = Boolean(realUrl && realKey);
const realLinked: InstanceRef | null =
  process.env.EVOLUTION_CONTRACT_INSTANCE && process.env.EVOLUTION_CONTRACT_TOKEN
    ? { instanceName: process.env.EVOLUTION_CONTRACT_INSTANCE, token: process.env.EVOLUTION_CONTRACT_TOKEN }
    : null;
const canSend = !real || (realLinked !== null && Boolean(process.env.EVOLUTION_CONTRACT_TO));
const recipient = real ? (process.env.EVOLUTION_CONTRACT_TO ?? '') : '+34612345678';
const emulatorOnly = real;
const slow = real ? 30_000 : 5_000;

console.info(
  real
    ? `Evolution contract suite: against ${realUrl}; emulator-only steps skipped${canSend ? '' : ', and the linked-phone steps too (no EVOLUTION_CONTRACT_INSTANCE/TOKEN/TO)'}`
    : 'Evolution contract suite: against the emulator (set EVOLUTION_CONTRACT_URL and EVOLUTION_CONTRACT_KEY for a real server)',
);

const apiKey = real ? (realKey ?? '') : `global-${randomUUID()}`;
const instance: InstanceRef = {
  instanceName: `contract-${randomUUID().slice(0, 8)}`,
  token: randomUUID().toUpperCase(),
};
const webhookSecret = randomUUID();

let baseUrl = realUrl ?? '';
let closeEmulator: () => Promise<void> = async () => {};
let receiver: WebhookReceiver;
let client: EvolutionClient;
/** The instance that can send: ours once scanned, or the real pre-linked one. */
const linked: InstanceRef = realLinked ?? instance;

async function control(method: 'POST' | 'PUT', path: string, body: unknown = {}): Promise<void> {
  const response = await fetch(`${baseUrl}/_emulator${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, `emulator control ${method} ${path}: ${await response.text()}`).toBeLessThan(300);
}

const noFaults = { latencyMs: 0, errorRate: 0, notOnWhatsApp: [], mediaDownloadFailures: [] };

interface SentRecord {
  id: string;
  type: string;
  mimetype?: string;
  fileName?: string;
  caption?: string;
  ptt?: boolean;
}

/** What the emulated phone sent (emulator only): proves the send reached it as the right kind. */
async function sentLog(instanceName: string): Promise<SentRecord[]> {
  const response = await fetch(`${baseUrl}/_emulator/instances/${instanceName}/sent`);
  expect(response.status).toBe(200);
  return (await response.json()) as SentRecord[];
}

function webhookEvents<T extends WebhookEvent['type']>(type: T): Extract<WebhookEvent, { type: T }>[] {
  return receiver.events.filter((event): event is Extract<WebhookEvent, { type: T }> => event.type === type);
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  if (!real) {
    const emulator = await startEmulator({
      apiKey,
      port: 0,
      connectWaitMs: 20,
      createQrWaitMs: 20,
      qrTimeoutMs: 10_000,
      qrLimit: 5,
      reconnectDelayMs: 50,
      statusDelaysMs: { serverAck: 20, deliveryAck: 20, read: 20 },
      webhookRetry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50, jitter: 0 },
    });
    baseUrl = emulator.url;
    closeEmulator = emulator.close;
  }
  client = new EvolutionClient({ baseUrl, apiKey, requestTimeoutMs: slow });
});

afterAll(async () => {
  // Best effort: leave no instance behind on a real server.
  await client?.deleteInstance(instance).catch(() => undefined);
  await client?.close();
  await closeEmulator();
  await receiver?.close();
});

describe('instance lifecycle', () => {
  it('creates an instance with the global key and our token', async () => {
    const created = await client.createInstance(instance);
    expect(created.instanceName).toBe(instance.instanceName);
    expect(created.token).toBe(instance.token);
    expect(created.instanceId).not.toBe('');
  });

  it('refuses the same name twice: permanent instance_name_taken', async () => {
    const error = await rejectionOf(client.createInstance({ ...instance, token: randomUUID() }));
    expect(error).toMatchObject({ kind: 'permanent', code: 'instance_name_taken', status: 403 });
  });

  it('registers the webhook with the nested body and reads it back', async () => {
    const settings = {
      url: `${receiver.url}/hooks`,
      events: DEFAULT_WEBHOOK_EVENTS,
      headers: { jwt_key: webhookSecret, 'x-webhook-secret': webhookSecret },
    };
    const stored = await client.setWebhook(instance, settings);
    const expected = {
      url: settings.url,
      enabled: true,
      events: [...DEFAULT_WEBHOOK_EVENTS],
      byEvents: false,
      base64: false,
    };
    expect(stored).toMatchObject(expected);
    expect(stored.events).toHaveLength(DEFAULT_WEBHOOK_EVENTS.length);
    const found = await client.findWebhook(instance);
    expect(found).toMatchObject(expected);
    expect(found?.headers['x-webhook-secret']).toBe(webhookSecret);
  });

  it('is not connected before a phone scans', async () => {
    expect(['close', 'connecting']).toContain(await client.connectionState(instance));
  });

  it('a send to a never-connected instance → not_connected', async () => {
    const error = await rejectionOf(client.sendText(instance, { number: '+34612345678', text: 'too early' }));
    expect(error).toMatchObject({ kind: 'not_connected', code: 'not_connected' });
  });

  it('connect returns a QR (polling through {count:0})', async () => {
    const result = await eventually(
      async () => {
        const answer = await client.connect(instance);
        return answer.state === 'connecting' && answer.qr !== null ? answer.qr : undefined;
      },
      'a QR from connect',
      slow,
    );
    expect(result.code).not.toBe('');
    expect(result.count).toBeGreaterThanOrEqual(1);
    if (result.base64 !== null) expect(result.base64).toMatch(/^data:image\/png;base64,/);
  });

  it.skipIf(emulatorOnly)('sends the QR by webhook too', async () => {
    const qr = await eventually(
      () => webhookEvents('qr').find((event) => event.instance === instance.instanceName),
      'a QRCODE_UPDATED webhook',
    );
    expect(qr.qr.code).not.toBe('');
  });

  it.skipIf(emulatorOnly)('opens once the phone scans, and says so by webhook', async () => {
    await control('POST', `/instances/${instance.instanceName}/scan`);
    await eventually(async () => (await client.connectionState(instance)) === 'open', 'state open');
    const open = await eventually(
      () => webhookEvents('connection').find((event) => event.state === 'open'),
      'a CONNECTION_UPDATE open webhook',
    );
    expect(open.instance).toBe(instance.instanceName);
    expect(open.phone).toMatch(/^\+\d{8,15}$/);
    expect(await client.connect(instance)).toEqual({ state: 'open' });
  });

  it('fetchInstance finds it with the global key; an unknown name is null', async () => {
    const info = await client.fetchInstance(instance.instanceName);
    expect(info).toMatchObject({ instanceName: instance.instanceName, token: instance.token });
    expect(await client.fetchInstance(`missing-${randomUUID().slice(0, 8)}`)).toBeNull();
  });
});

describe.skipIf(!canSend)('sending with a linked instance', () => {
  let text: SendResult;

  it('sendText returns an id and the canonical JID', async () => {
    text = await client.sendText(linked, { number: recipient, text: 'Hola, su cita es mañana a las 10:00' });
    expect(text.evolutionMessageId).not.toBe('');
    expect(text.remoteJid).toMatch(/^\d+@s\.whatsapp\.net$/);
    expect(text.phone).toBe(`+${text.remoteJid.split('@')[0]}`);
    expect(text.status).toBe('sent');
    expect(Math.abs(text.timestamp.getTime() - Date.now())).toBeLessThan(5 * 60_000);
  });

  it.skipIf(emulatorOnly)('the send comes back as SEND_MESSAGE and status webhooks', async () => {
    const sent = await eventually(
      () => webhookEvents('message').find((event) => event.evolutionMessageId === text.evolutionMessageId),
      'a SEND_MESSAGE webhook',
    );
    expect(sent).toMatchObject({ source: 'send', fromMe: true, kind: 'text', phone: text.phone });
    await eventually(
      () =>
        webhookEvents('message_status').find(
          (event) => event.evolutionMessageId === text.evolutionMessageId && event.status === 'delivered',
        ),
      'a MESSAGES_UPDATE DELIVERY_ACK webhook',
    );
  });

  it('findStatusMessage reads the recorded statuses', async () => {
    const records = await eventually(
      async () => {
        const found = await client.findStatusMessage(linked, {
          remoteJid: text.remoteJid,
          id: text.evolutionMessageId,
        });
        return found.some((record) => record.status === 'delivered' || record.status === 'read')
          ? found
          : undefined;
      },
      'a delivered status row',
      slow,
    );
    expect(records.every((record) => record.evolutionMessageId === text.evolutionMessageId)).toBe(true);
  });

  it('sendMedia by URL', async () => {
    const result = await client.sendMedia(linked, {
      number: recipient,
      mediatype: 'image',
      // A real server must be able to download it: EVOLUTION_CONTRACT_MEDIA_URL names a public image.
      media: process.env.EVOLUTION_CONTRACT_MEDIA_URL ?? `${receiver.url}/media/pixel.png`,
      caption: 'Tu plan',
    });
    expect(result.evolutionMessageId).not.toBe('');
    expect(result.evolutionMessageId).not.toBe(text.evolutionMessageId);
  });

  it('sendMedia by base64, with a data URI prefix the client strips', async () => {
    const image = await client.sendMedia(linked, {
      number: recipient,
      mediatype: 'image',
      media: `data:image/png;base64,${PIXEL_PNG_BASE64}`,
    });
    const pdf = Buffer.from('%PDF-1.4\n%contract\n').toString('base64');
    const document = await client.sendMedia(linked, {
      number: recipient,
      mediatype: 'document',
      media: pdf,
      fileName: 'plan.pdf',
      caption: 'Plan semanal',
    });
    expect(new Set([image.evolutionMessageId, document.evolutionMessageId]).size).toBe(2);
    expect(document.remoteJid).toBe(text.remoteJid);
  });

  it('sendMedia with a video and an audio file, by base64', async () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypmp42'), Buffer.alloc(32)]);
    const video = await client.sendMedia(linked, {
      number: recipient,
      mediatype: 'video',
      media: mp4.toString('base64'),
      fileName: 'ejercicios.mp4',
      caption: 'Rutina de hoy',
    });
    const ogg = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(40)]);
    const audio = await client.sendMedia(linked, {
      number: recipient,
      mediatype: 'audio',
      media: ogg.toString('base64'),
      fileName: 'consejo.ogg',
    });
    for (const result of [video, audio]) {
      expect(result.evolutionMessageId).not.toBe('');
      expect(result.remoteJid).toBe(text.remoteJid);
      expect(result.status).toBe('sent');
    }
    expect(video.evolutionMessageId).not.toBe(audio.evolutionMessageId);
    if (!emulatorOnly) {
      const sent = await sentLog(linked.instanceName);
      expect(sent.find((r) => r.id === video.evolutionMessageId)).toMatchObject({
        type: 'video',
        mimetype: 'video/mp4',
        caption: 'Rutina de hoy',
      });
      // A normal audio file, not a voice note: that is sendWhatsAppAudio.
      const file = sent.find((r) => r.id === audio.evolutionMessageId);
      expect(file).toMatchObject({ type: 'audio', mimetype: 'audio/ogg' });
      expect(file?.ptt).toBeUndefined();
    }
  });

  it.skipIf(emulatorOnly)(
    'sendMedia names a URL document whose path names no file, keeping its type',
    async () => {
      // Unnamed, Evolution names it from the URL (/.*\/(.+?)\./ → "files" here) and labels it by
      // that name: "false", a file no app opens.
      const document = await client.sendMedia(linked, {
        number: recipient,
        mediatype: 'document',
        media: 'https://files.example.com/download/?id=42',
        mimetype: 'application/pdf',
      });
      const sent = await sentLog(linked.instanceName);
      expect(sent.find((r) => r.id === document.evolutionMessageId)).toMatchObject({
        type: 'document',
        mimetype: 'application/pdf',
        fileName: 'document.pdf',
      });
    },
  );

  it('sendWhatsAppAudio sends a voice note', async () => {
    const ogg = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(40)]).toString('base64');
    const note = await client.sendWhatsAppAudio(linked, { number: recipient, audio: ogg });
    expect(note.evolutionMessageId).not.toBe('');
    expect(note.remoteJid).toBe(text.remoteJid);
    expect(note.status).toBe('sent');
    if (!emulatorOnly) {
      const sent = await sentLog(linked.instanceName);
      expect(sent.find((r) => r.id === note.evolutionMessageId)).toMatchObject({
        type: 'audio',
        mimetype: 'audio/ogg; codecs=opus',
        ptt: true,
      });
    }
  });

  it('whatsappNumbers says the recipient exists', async () => {
    const [check] = await client.whatsappNumbers(linked, [recipient]);
    expect(check).toMatchObject({ number: recipient, exists: true });
    expect(check?.jid).toMatch(/@s\.whatsapp\.net$/);
  });

  it.skipIf(emulatorOnly)('an inbound message reaches the webhook as a message from the client', async () => {
    await control('POST', `/instances/${instance.instanceName}/inbound`, {
      from: '+34699111222',
      pushName: 'Lucía',
      text: 'BAJA',
    });
    const inbound: MessageEvent = await eventually(
      () => webhookEvents('message').find((event) => event.source === 'upsert' && event.text === 'BAJA'),
      'a MESSAGES_UPSERT webhook',
    );
    expect(inbound).toMatchObject({ fromMe: false, phone: '+34699111222', pushName: 'Lucía', kind: 'text' });
  });
});

describe.skipIf(emulatorOnly)('faults the emulator injects', () => {
  afterAll(async () => {
    await control('PUT', '/faults', noFaults);
  });

  it('a number not on WhatsApp → permanent not_on_whatsapp', async () => {
    await control('PUT', '/faults', { ...noFaults, notOnWhatsApp: ['+34600000099', '34600000099'] });
    const error = await rejectionOf(client.sendText(linked, { number: '+34600000099', text: 'hola' }));
    expect(error).toMatchObject({ kind: 'permanent', code: 'not_on_whatsapp', status: 400 });
    const [check] = await client.whatsappNumbers(linked, ['+34600000099']);
    expect(check).toMatchObject({ exists: false, phone: null });
  });

  it('an image URL its file server refuses (404) → permanent media_unavailable naming the status', async () => {
    const gone = 'https://files.example.com/gone/';
    await control('PUT', '/faults', {
      ...noFaults,
      mediaDownloadFailures: [{ urlPrefix: gone, status: 404 }],
    });
    const error = (await rejectionOf(
      client.sendMedia(linked, { number: recipient, mediatype: 'image', media: `${gone}foto.jpg` }),
    )) as Error;
    expect(error).toMatchObject({
      kind: 'permanent',
      code: 'media_unavailable',
      status: 500,
      details: { downloadStatus: 404 },
    });
    expect(error.message).toContain('HTTP 404');
  });

  it('an image URL whose server fails (503) → transient', async () => {
    const flaky = 'https://files.example.com/flaky/';
    await control('PUT', '/faults', {
      ...noFaults,
      mediaDownloadFailures: [{ urlPrefix: flaky, status: 503 }],
    });
    const image = await rejectionOf(
      client.sendMedia(linked, { number: recipient, mediatype: 'image', media: `${flaky}foto.jpg` }),
    );
    expect(image).toMatchObject({ kind: 'transient', code: 'gateway_error' });
  });

  it('a document URL its file server refuses, status kept to itself by Baileys → permanent media_unavailable', async () => {
    const gone = 'https://files.example.com/gone/';
    await control('PUT', '/faults', {
      ...noFaults,
      mediaDownloadFailures: [{ urlPrefix: gone, status: 404 }],
    });
    const document = (await rejectionOf(
      client.sendMedia(linked, { number: recipient, mediatype: 'document', media: `${gone}plan.pdf` }),
    )) as Error;
    expect(document).toMatchObject({
      kind: 'permanent',
      code: 'media_unavailable',
      status: 500,
      details: { downloadStatus: null },
    });
  });

  it('errorRate 1 → transient', async () => {
    await control('PUT', '/faults', { ...noFaults, errorRate: 1 });
    const error = await rejectionOf(client.sendText(linked, { number: recipient, text: 'hola' }));
    expect(error).toMatchObject({ kind: 'transient' });
  });

  it('latency beyond the request timeout → transient gateway_timeout', async () => {
    await control('PUT', '/faults', { ...noFaults, latencyMs: 800 });
    const impatient = new EvolutionClient({ baseUrl, apiKey, requestTimeoutMs: 200 });
    try {
      const error = await rejectionOf(impatient.connectionState(linked));
      expect(error).toMatchObject({ kind: 'transient', code: 'gateway_timeout' });
    } finally {
      await impatient.close();
    }
  });
});

describe.skipIf(!canSend)('restart', () => {
  it('restarts a linked instance, answering with the connect result', async () => {
    const reconnecting = () => webhookEvents('connection').filter((e) => e.state === 'connecting').length;
    const before = reconnecting();
    const answer = await client.restart(linked);
    expect(['open', 'connecting']).toContain(answer.state);
    // The socket really dropped (the emulator's webhooks reach this process)…
    if (!emulatorOnly) await eventually(() => reconnecting() > before, 'a CONNECTION_UPDATE connecting');
    // …and, restart being fire-and-forget, comes back on its own.
    await eventually(async () => (await client.connectionState(linked)) === 'open', 'state open again', slow);
  });
});

describe('restart of an instance that is not connected', () => {
  it('→ not_connected (Evolution answers 200 {error:true})', async () => {
    const closed: InstanceRef = {
      instanceName: `contract-closed-${randomUUID().slice(0, 8)}`,
      token: randomUUID().toUpperCase(),
    };
    await client.createInstance(closed);
    try {
      expect(await client.connectionState(closed)).toBe('close');
      const error = await rejectionOf(client.restart(closed));
      expect(error).toMatchObject({
        kind: 'not_connected',
        code: 'not_connected',
        details: { reason: 'instance_closed' },
      });
    } finally {
      await client.deleteInstance(closed).catch(() => undefined);
    }
  });
});

describe('errors from real answers', () => {
  it('a wrong instance token → permanent unauthorized', async () => {
    const error = await rejectionOf(client.connectionState({ ...instance, token: 'WRONG' }));
    expect(error).toMatchObject({ kind: 'permanent', code: 'unauthorized', status: 401 });
  });

  it('a wrong global key → permanent unauthorized on create', async () => {
    const intruder = new EvolutionClient({ baseUrl, apiKey: 'WRONG' });
    try {
      const error = await rejectionOf(
        intruder.createInstance({
          instanceName: `intruder-${randomUUID().slice(0, 8)}`,
          token: randomUUID(),
        }),
      );
      expect(error).toMatchObject({ kind: 'permanent', code: 'unauthorized', status: 401 });
    } finally {
      await intruder.close();
    }
  });

  it('an unknown instance → permanent instance_not_found', async () => {
    const error = await rejectionOf(
      client.connectionState({ instanceName: `nope-${randomUUID()}`, token: 'x' }),
    );
    expect(error).toMatchObject({ kind: 'permanent', code: 'instance_not_found', status: 404 });
  });

  it('nothing listening → transient gateway_unreachable', async () => {
    const nowhere = new EvolutionClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey });
    try {
      const error = await rejectionOf(nowhere.connectionState(instance));
      expect(error).toMatchObject({ kind: 'transient', code: 'gateway_unreachable' });
    } finally {
      await nowhere.close();
    }
  });
});

describe('leaving', () => {
  it.skipIf(emulatorOnly)(
    'logout unlinks the phone; sending then → not_connected; again → already_logged_out',
    async () => {
      expect(await client.logout(instance)).toBe('logged_out');
      await eventually(async () => (await client.connectionState(instance)) === 'close', 'state close');
      const error = await rejectionOf(client.sendText(instance, { number: recipient, text: 'after logout' }));
      expect(error).toMatchObject({ kind: 'not_connected', code: 'not_connected' });
      expect(await client.logout(instance)).toBe('already_logged_out');
      await eventually(() => webhookEvents('logout').length > 0, 'a LOGOUT_INSTANCE webhook');
    },
  );

  it('delete removes the instance; deleting again → already_deleted', async () => {
    expect(await client.deleteInstance(instance)).toBe('deleted');
    // Evolution removes the rows asynchronously: wait until the name is unknown.
    const gone = await eventually(async () => {
      const error = (await rejectionOf(client.connectionState(instance))) as { code?: string };
      return error.code === 'instance_not_found' ? error : undefined;
    }, 'the instance to be gone');
    expect(gone).toMatchObject({ kind: 'permanent', status: 404 });
    expect(await client.deleteInstance(instance)).toBe('already_deleted');
  });

  it.skipIf(emulatorOnly)('every webhook the target sent was readable by our parser', () => {
    expect(receiver.failures).toEqual([]);
    expect(receiver.events.length).toBeGreaterThan(0);
  });
});
