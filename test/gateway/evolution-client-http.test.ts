import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { EvolutionClient } from '../../src/gateway/evolution-client.js';
import { GatewayError, mayHaveBeenProcessed } from '../../src/gateway/errors.js';
import { closedPort, rejectionOf, startScriptedServer } from './scripted-server.js';
import type { ScriptedServer } from './scripted-server.js';

// The client's wire behaviour against scripted answers quoted from evolution-api.md.
const ref = { instanceName: 'adv 42/ü', token: 'INSTANCE-TOKEN' };
const encodedName = encodeURIComponent(ref.instanceName);

let server: ScriptedServer;
let client: EvolutionClient;
// For the tests about the time budget only: a short budget keeps them quick, while every other
// test gets a budget a loaded CI machine cannot exceed by answering a local request slowly.
let hastyClient: EvolutionClient;

beforeAll(async () => {
  server = await startScriptedServer();
  // A path prefix, as in sandbox mode where Evolution is served under /_emulator.
  client = new EvolutionClient({
    baseUrl: `${server.url}/prefix/`,
    apiKey: 'GLOBAL-KEY',
    requestTimeoutMs: 10_000,
  });
  hastyClient = new EvolutionClient({
    baseUrl: `${server.url}/prefix/`,
    apiKey: 'GLOBAL-KEY',
    requestTimeoutMs: 300,
  });
});

afterAll(async () => {
  await client.close();
  await hastyClient.close();
  await server.close();
});

afterEach(() => {
  server.requests.length = 0;
});

const sentMessage = (remoteJid: string) => ({
  key: { remoteJid, fromMe: true, id: '3EB0A1B2C3D4' },
  pushName: 'Você',
  status: 'PENDING',
  message: { conversation: 'hello' },
  contextInfo: {},
  messageType: 'conversation',
  messageTimestamp: 1717689097,
  instanceId: '8c0c',
  source: 'web',
});

describe('keys and paths', () => {
  it('creates with the global key and our token, as a Baileys instance without QR', async () => {
    server.answer(() => ({
      status: 201,
      body: {
        instance: {
          instanceName: 'adv-42',
          instanceId: '8c0c-uuid',
          integration: 'WHATSAPP-BAILEYS',
          webhookWaBusiness: null,
          accessTokenWaBusiness: '',
          status: 'close',
        },
        hash: 'OUR-TOKEN',
        webhook: {},
        websocket: {},
        rabbitmq: {},
        nats: {},
        sqs: {},
        settings: { rejectCall: false },
      },
    }));
    const created = await client.createInstance({
      instanceName: 'adv-42',
      token: 'OUR-TOKEN',
      number: '+34612345678',
    });
    expect(created).toEqual({
      instanceName: 'adv-42',
      instanceId: '8c0c-uuid',
      token: 'OUR-TOKEN',
      state: 'close',
    });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/prefix/instance/create');
    expect(request?.headers.apikey).toBe('GLOBAL-KEY');
    expect(request?.body).toEqual({
      instanceName: 'adv-42',
      token: 'OUR-TOKEN',
      integration: 'WHATSAPP-BAILEYS',
      qrcode: false,
      number: '34612345678',
    });
  });

  it('uses the instance token and an encoded name on instance routes', async () => {
    server.answer(() => ({
      status: 200,
      body: { instance: { instanceName: ref.instanceName, state: 'connecting' } },
    }));
    expect(await client.connectionState(ref)).toBe('connecting');
    expect(server.requests[0]?.url).toBe(`/prefix/instance/connectionState/${encodedName}`);
    expect(server.requests[0]?.headers.apikey).toBe('INSTANCE-TOKEN');
  });

  it('reuses one kept-alive connection across calls', async () => {
    server.answer(() => ({ status: 200, body: { instance: { instanceName: 'x', state: 'open' } } }));
    const before = server.connections();
    for (let i = 0; i < 5; i += 1) await client.connectionState(ref);
    expect(server.connections() - before).toBeLessThanOrEqual(1);
  });
});

describe('connect', () => {
  it('reads {count:0} as "no QR yet" and passes the pairing number as digits', async () => {
    server.answer(() => ({ status: 200, body: { count: 0 } }));
    expect(await client.connect(ref, { number: '+5511987654321' })).toEqual({
      state: 'connecting',
      qr: null,
    });
    expect(server.requests[0]?.url).toBe(`/prefix/instance/connect/${encodedName}?number=5511987654321`);
  });

  it('reads a QR object', async () => {
    server.answer(() => ({
      status: 200,
      body: { pairingCode: 'WZYEH1YY', code: '2@abc', base64: 'data:image/png;base64,iVBO', count: 3 },
    }));
    expect(await client.connect(ref)).toEqual({
      state: 'connecting',
      qr: { code: '2@abc', base64: 'data:image/png;base64,iVBO', pairingCode: 'WZYEH1YY', count: 3 },
    });
    expect(server.requests[0]?.url).toBe(`/prefix/instance/connect/${encodedName}`);
  });

  it('reads the open state', async () => {
    server.answer(() => ({ status: 200, body: { instance: { instanceName: 'x', state: 'open' } } }));
    expect(await client.connect(ref)).toEqual({ state: 'open' });
  });

  it('turns the 200 {error:true} answer into a transient error', async () => {
    server.answer(() => ({ status: 200, body: { error: true, message: '[object Object]' } }));
    expect(await rejectionOf(client.connect(ref))).toMatchObject({
      kind: 'transient',
      code: 'gateway_error',
    });
  });

  it('reads the 200 {error:true} of restart on a closed instance as not connected', async () => {
    server.answer(() => ({ status: 200, body: { error: true, message: '[object Object]' } }));
    expect(await rejectionOf(client.restart(ref))).toMatchObject({
      kind: 'not_connected',
      code: 'not_connected',
    });
    expect(server.requests[0]?.method).toBe('POST');
  });
});

describe('answers we cannot read', () => {
  it.each([
    ['HTML from a proxy', '<html>hi</html>'],
    ['an empty body', ''],
    ['a state we do not know', { instance: { state: 'sleeping' } }],
  ])('%s → permanent unexpected_response', async (_name, body) => {
    server.answer(() => ({ status: 200, body }));
    const error = await rejectionOf(client.connectionState(ref));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ kind: 'permanent', code: 'unexpected_response' });
  });

  it('a send answer without key.id → unexpected_response, never an undefined id', async () => {
    server.answer(() => ({ status: 201, body: { key: { remoteJid: '34612345678@s.whatsapp.net' } } }));
    const error = await rejectionOf(client.sendText(ref, { number: '+34612345678', text: 'hi' }));
    expect(error).toMatchObject({ code: 'unexpected_response', details: { operation: 'sendText' } });
  });
});

describe('sending', () => {
  it('sends digits and returns the JID WhatsApp confirmed (BR 9th digit), its number in our form', async () => {
    server.answer(() => ({ status: 201, body: sentMessage('551187654321@s.whatsapp.net') }));
    const result = await client.sendText(ref, {
      number: '+5511987654321',
      text: 'hello',
      linkPreview: false,
    });
    expect(result).toEqual({
      evolutionMessageId: '3EB0A1B2C3D4',
      remoteJid: '551187654321@s.whatsapp.net',
      // The JID drops the 9th digit; the phone is the number we sent to (canonicalWhatsAppNumber).
      phone: '+5511987654321',
      status: 'sent',
      rawStatus: 'PENDING',
      timestamp: new Date(1717689097 * 1000),
    });
    expect(server.requests[0]?.body).toEqual({ number: '5511987654321', text: 'hello', linkPreview: false });
  });

  it('a WhatsApp query timing out inside the send (400 "Error: Timed Out") → transient, not sent', async () => {
    server.answer(() => ({
      status: 400,
      body: { status: 400, error: 'Bad Request', response: { message: ['Error: Timed Out'] } },
    }));
    const error = await rejectionOf(client.sendText(ref, { number: '+34612345678', text: 'hi' }));
    // Retried with backoff like any timeout, never failed for good; and Baileys gave up before
    // relaying, so the retry is no second copy.
    expect(error).toMatchObject({ kind: 'transient', code: 'gateway_error', status: 400 });
    expect(mayHaveBeenProcessed(error as GatewayError)).toBe(false);
  });

  it('refuses a number that is not E.164 without calling Evolution', async () => {
    const error = await rejectionOf(client.sendText(ref, { number: '612 345 678', text: 'hi' }));
    expect(error).toMatchObject({ kind: 'permanent', code: 'invalid_number' });
    expect(server.requests).toHaveLength(0);
  });

  it("strips a data URI's prefix and keeps its mimetype", async () => {
    server.answer(() => ({
      status: 201,
      body: { ...sentMessage('34612345678@s.whatsapp.net'), messageType: 'documentMessage' },
    }));
    await client.sendMedia(ref, {
      number: '+34612345678',
      mediatype: 'document',
      media: 'data:application/pdf;base64,JVBERi0x',
      fileName: 'plan.pdf',
      caption: 'Your plan',
    });
    expect(server.requests[0]?.url).toBe(`/prefix/message/sendMedia/${encodedName}`);
    expect(server.requests[0]?.body).toEqual({
      number: '34612345678',
      mediatype: 'document',
      media: 'JVBERi0x',
      mimetype: 'application/pdf',
      caption: 'Your plan',
      fileName: 'plan.pdf',
    });
  });

  it('names a file with the extension of its type, since Evolution reads the type from the name', async () => {
    server.answer(() => ({ status: 201, body: sentMessage('34612345678@s.whatsapp.net') }));
    const send = (mediatype: 'document' | 'image' | 'audio', fileName: string, mimetype?: string) =>
      client.sendMedia(ref, {
        number: '+34612345678',
        mediatype,
        media: 'JVBERi0x',
        fileName,
        ...(mimetype ? { mimetype } : {}),
      });
    // A message stored before names were completed ("document") goes out as document.pdf.
    await send('document', 'document', 'application/pdf');
    await send('document', 'plan.docx', 'application/zip');
    await send('audio', 'nota', 'audio/ogg; codecs=opus');
    await send('document', 'sin tipo');
    await send('image', 'foto', 'image/png');
    // A name whose type nothing tells went out labelled "false" (mimeTypes.lookup(name).toString()),
    // and an image's name labelled the JPEG Evolution makes of it: an image goes unnamed.
    expect(server.requests.map((r) => (r.body as { fileName?: string }).fileName)).toEqual([
      'document.pdf',
      'plan.docx',
      'nota.ogg',
      'sin tipo.bin',
      undefined,
    ]);
  });

  it('sends voice notes with encoding on', async () => {
    server.answer(() => ({ status: 201, body: sentMessage('34612345678@s.whatsapp.net') }));
    await client.sendWhatsAppAudio(ref, { number: '+34612345678', audio: 'https://cdn.example/a.mp3' });
    expect(server.requests[0]?.body).toEqual({
      number: '34612345678',
      audio: 'https://cdn.example/a.mp3',
      encoding: true,
    });
  });

  it("adds sendText's typing delay to the time budget, because Evolution blocks for it", async () => {
    // The answer comes after the 300 ms budget but well inside budget + typing delay.
    server.answer(() => ({ status: 201, body: sentMessage('34612345678@s.whatsapp.net'), delayMs: 450 }));
    const result = await hastyClient.sendText(ref, { number: '+34612345678', text: 'hi', delay: 3_000 });
    expect(result.evolutionMessageId).toBe('3EB0A1B2C3D4');
  });
});

describe('instance lifecycle answers', () => {
  it('logout: SUCCESS → logged_out; 400 "not connected" and 2.4.0\'s 200 → already_logged_out', async () => {
    server.answer(() => ({
      status: 200,
      body: { status: 'SUCCESS', error: false, response: { message: 'Instance logged out' } },
    }));
    expect(await client.logout(ref)).toBe('logged_out');
    server.answer(() => ({
      status: 400,
      body: {
        status: 400,
        error: 'Bad Request',
        response: { message: [`The "x" instance is not connected`] },
      },
    }));
    expect(await client.logout(ref)).toBe('already_logged_out');
    server.answer(() => ({
      status: 200,
      body: { status: 'SUCCESS', error: false, response: { message: 'Instance was already disconnected' } },
    }));
    expect(await client.logout(ref)).toBe('already_logged_out');
    expect(server.requests.map((request) => request.method)).toEqual(['DELETE', 'DELETE', 'DELETE']);
  });

  it('delete: SUCCESS → deleted; 404 → already_deleted', async () => {
    server.answer(() => ({
      status: 200,
      body: { status: 'SUCCESS', error: false, response: { message: 'Instance deleted' } },
    }));
    expect(await client.deleteInstance(ref)).toBe('deleted');
    server.answer(() => ({
      status: 404,
      body: { status: 404, error: 'Not Found', response: { message: ['The "x" instance does not exist'] } },
    }));
    expect(await client.deleteInstance(ref)).toBe('already_deleted');
  });

  it('fetchInstance: reads the raw row with the global key; 404 → null', async () => {
    server.answer(() => ({
      status: 200,
      body: [
        {
          id: '8c0c',
          name: 'adv-42',
          connectionStatus: 'open',
          ownerJid: '5511987654321@s.whatsapp.net',
          profileName: 'Ana',
          token: 'T',
          Setting: {},
          _count: { Message: 0 },
        },
      ],
    }));
    expect(await client.fetchInstance('adv-42')).toEqual({
      instanceName: 'adv-42',
      instanceId: '8c0c',
      connectionStatus: 'open',
      ownerPhone: '+5511987654321',
      profileName: 'Ana',
      token: 'T',
    });
    expect(server.requests[0]?.url).toBe('/prefix/instance/fetchInstances?instanceName=adv-42');
    expect(server.requests[0]?.headers.apikey).toBe('GLOBAL-KEY');
    server.answer(() => ({
      status: 404,
      body: { status: 404, error: 'Not Found', response: { message: ['Instance "adv-42" not found'] } },
    }));
    expect(await client.fetchInstance('adv-42')).toBeNull();
  });
});

describe('webhook', () => {
  it('sends the nested body with UPPER_SNAKE events and reads the stored row back', async () => {
    const row = {
      id: 'w1',
      url: 'https://svc.example/api/whatsapp/webhook',
      headers: { jwt_key: 's3cret', 'x-webhook-secret': 's3cret' },
      enabled: true,
      events: ['QRCODE_UPDATED', 'MESSAGES_UPDATE'],
      webhookByEvents: false,
      webhookBase64: false,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      instanceId: '8c0c',
    };
    server.answer(() => ({ status: 201, body: row }));
    const config = await client.setWebhook(ref, {
      url: row.url,
      events: ['QRCODE_UPDATED', 'MESSAGES_UPDATE'],
      headers: row.headers,
    });
    expect(server.requests[0]?.body).toEqual({
      webhook: {
        enabled: true,
        url: row.url,
        headers: row.headers,
        byEvents: false,
        base64: false,
        events: ['QRCODE_UPDATED', 'MESSAGES_UPDATE'],
      },
    });
    expect(config).toEqual({
      url: row.url,
      enabled: true,
      events: ['QRCODE_UPDATED', 'MESSAGES_UPDATE'],
      headers: row.headers,
      byEvents: false,
      base64: false,
    });
  });

  it('refuses an empty event list, which Evolution would read as "everything"', async () => {
    const error = await rejectionOf(client.setWebhook(ref, { url: 'https://x.example', events: [] }));
    expect(error).toMatchObject({ kind: 'permanent', code: 'bad_request' });
    expect(server.requests).toHaveLength(0);
  });

  it('reads find → null when no webhook is configured', async () => {
    server.answer(() => ({ status: 200, body: 'null' }));
    expect(await client.findWebhook(ref)).toBeNull();
  });
});

describe('chat lookups', () => {
  it('whatsappNumbers: digits out, E.164 back, canonical phone only when it exists', async () => {
    server.answer(() => ({
      status: 200,
      body: [
        { jid: '551187654321@s.whatsapp.net', exists: true, number: '5511987654321', name: 'Maria' },
        { jid: '34600000000@s.whatsapp.net', exists: false, number: '34600000000' },
      ],
    }));
    expect(await client.whatsappNumbers(ref, ['+5511987654321', '+34600000000'])).toEqual([
      {
        number: '+5511987654321',
        exists: true,
        jid: '551187654321@s.whatsapp.net',
        phone: '+5511987654321',
        name: 'Maria',
      },
      { number: '+34600000000', exists: false, jid: '34600000000@s.whatsapp.net', phone: null, name: null },
    ]);
    expect(server.requests[0]?.body).toEqual({ numbers: ['5511987654321', '34600000000'] });
  });

  it('findStatusMessage: where {remoteJid, id}, rows mapped to our statuses', async () => {
    server.answer(() => ({
      status: 200,
      body: [
        {
          id: 'u1',
          keyId: 'K',
          remoteJid: 'r@s.whatsapp.net',
          fromMe: true,
          status: 'SERVER_ACK',
          instanceId: 'i',
        },
        {
          id: 'u2',
          keyId: 'K',
          remoteJid: 'r@s.whatsapp.net',
          fromMe: true,
          status: 'READ',
          instanceId: 'i',
        },
      ],
    }));
    const records = await client.findStatusMessage(ref, { remoteJid: 'r@s.whatsapp.net', id: 'K' });
    expect(records.map((record) => [record.status, record.rawStatus])).toEqual([
      ['sent', 'SERVER_ACK'],
      ['read', 'READ'],
    ]);
    expect(server.requests[0]?.body).toMatchObject({
      where: { remoteJid: 'r@s.whatsapp.net', id: 'K' },
      page: 1,
    });
  });
});

describe('network failures', () => {
  it('a slow answer → transient gateway_timeout', async () => {
    server.answer(() => ({ status: 200, body: { instance: { state: 'open' } }, delayMs: 5_000 }));
    const started = Date.now();
    const error = await rejectionOf(hastyClient.connectionState(ref));
    expect(error).toMatchObject({
      kind: 'transient',
      code: 'gateway_timeout',
      details: { phase: 'response' },
    });
    // Gave up on its 300 ms budget, long before the 5 s answer.
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('nothing listening → transient gateway_unreachable', async () => {
    const nowhere = new EvolutionClient({ baseUrl: `http://127.0.0.1:${await closedPort()}`, apiKey: 'k' });
    try {
      const error = await rejectionOf(nowhere.connectionState(ref));
      expect(error).toMatchObject({
        kind: 'transient',
        code: 'gateway_unreachable',
        details: { phase: 'connect' },
      });
    } finally {
      await nowhere.close();
    }
  });

  it('a proxy 429 → transient gateway_rate_limited with its Retry-After', async () => {
    server.answer(() => ({ status: 429, body: 'slow down', headers: { 'retry-after': '3' } }));
    const error = await rejectionOf(client.connectionState(ref));
    expect(error).toMatchObject({
      kind: 'transient',
      code: 'gateway_rate_limited',
      details: { retryAfterMs: 3000 },
    });
  });
});

describe('EVOLUTION_CONNECT_TIMEOUT_MS', () => {
  it('a connection that never completes → transient gateway_timeout in the connect phase', async () => {
    // Accepts TCP and then says nothing: an https client's connect (TCP + TLS handshake) never
    // completes, on any machine, with no network needed.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const config = loadConfig({
      DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'ww-connect-timeout-')),
      EVOLUTION_API_URL: `https://127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
      EVOLUTION_API_KEY: 'k',
      // Below the request timeout, which is itself below the 5 s default connect timeout: only a
      // client that honours this setting reports a connect-phase timeout.
      EVOLUTION_CONNECT_TIMEOUT_MS: '300',
      EVOLUTION_REQUEST_TIMEOUT_MS: '3000',
    });
    const gateway = new EvolutionClient({
      baseUrl: config.evolution.url!,
      apiKey: config.evolution.apiKey,
      connectTimeoutMs: config.evolution.connectTimeoutMs,
      requestTimeoutMs: config.evolution.requestTimeoutMs,
    });
    try {
      const error = await rejectionOf(gateway.connectionState(ref));
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({
        kind: 'transient',
        code: 'gateway_timeout',
        details: { phase: 'connect', networkCode: 'UND_ERR_CONNECT_TIMEOUT' },
      });
      expect(sockets.size).toBeGreaterThan(0);
    } finally {
      await gateway.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
