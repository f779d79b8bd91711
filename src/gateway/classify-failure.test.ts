import { describe, expect, it } from 'vitest';
import { classifyHttpFailure, classifyNetworkFailure, isAlreadyDisconnected } from './classify-failure.js';
import { mayHaveBeenProcessed } from './errors.js';
import type { GatewayErrorCode, GatewayErrorKind } from './errors.js';

/** The gateway's 500 for a media URL it could not download (§3.11): `String(error)` in the array. */
function mediaDownloadFailed(error: string): unknown {
  return { status: 500, error: 'Internal Server Error', response: { message: [error] } };
}

// Every body below is quoted from evolution-api.md (the section is named in each row).
const cases: [string, number, unknown, GatewayErrorKind, GatewayErrorCode][] = [
  [
    '§1 wrong or missing key',
    401,
    { status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } },
    'permanent',
    'unauthorized',
  ],
  [
    '§3.1 name already in use',
    403,
    { status: 403, error: 'Forbidden', response: { message: ['This name "advisor-42" is already in use.'] } },
    'permanent',
    'instance_name_taken',
  ],
  [
    '§6.2 unknown instance',
    404,
    { status: 404, error: 'Not Found', response: { message: ['The "x" instance does not exist'] } },
    'permanent',
    'instance_not_found',
  ],
  [
    '§3.4 fetchInstances unknown name',
    404,
    { status: 404, error: 'Not Found', response: { message: ['Instance "x" not found'] } },
    'permanent',
    'instance_not_found',
  ],
  [
    '§2 unknown route',
    404,
    { status: 404, error: 'Not Found', response: { message: ['Cannot GET /x'] } },
    'permanent',
    'endpoint_not_found',
  ],
  [
    '§5 not on WhatsApp',
    400,
    {
      status: 400,
      error: 'Bad Request',
      response: {
        message: [{ jid: '5511999999999@s.whatsapp.net', exists: false, number: '5511999999999' }],
      },
    },
    'permanent',
    'not_on_whatsapp',
  ],
  [
    '§6.2 socket closed, number not cached',
    500,
    { status: 500, error: 'Internal Server Error', response: { message: 'Connection Closed' } },
    'not_connected',
    'not_connected',
  ],
  [
    '§6.2 socket closed, number cached',
    400,
    { status: 400, error: 'Bad Request', response: { message: ['Error: Connection Closed'] } },
    'not_connected',
    'not_connected',
  ],
  [
    '§6.2 media upload on a dead socket',
    500,
    { status: 500, error: 'Internal Server Error', response: { message: ['Error: Connection Closed'] } },
    'not_connected',
    'not_connected',
  ],
  [
    '§6.2 never connected (onWhatsApp)',
    500,
    {
      status: 500,
      error: 'Internal Server Error',
      response: { message: "Cannot read properties of undefined (reading 'onWhatsApp')" },
    },
    'not_connected',
    'not_connected',
  ],
  [
    '§6.2 never connected (sendMessage)',
    400,
    {
      status: 400,
      error: 'Bad Request',
      response: { message: ["TypeError: Cannot read properties of undefined (reading 'sendMessage')"] },
    },
    'not_connected',
    'not_connected',
  ],
  [
    // sendMedia uploads before anything else: with no socket object it fails in the upload.
    '§6.2 never connected, media (waUploadToServer)',
    500,
    {
      status: 500,
      error: 'Internal Server Error',
      response: { message: ["TypeError: Cannot read properties of undefined (reading 'waUploadToServer')"] },
    },
    'not_connected',
    'not_connected',
  ],
  [
    '§6.2 not loaded in memory (textMessage)',
    500,
    {
      status: 500,
      error: 'Internal Server Error',
      response: { message: "Cannot read properties of undefined (reading 'textMessage')" },
    },
    'not_connected',
    'not_connected',
  ],
  [
    // A Baileys query timing out inside the send's try (assertSessions, device lookup: issue
    // #2039) comes back as the 400 of §6.2 with String(error), before anything went out.
    '§6.2 a WhatsApp query timed out inside the send',
    400,
    { status: 400, error: 'Bad Request', response: { message: ['Error: Timed Out'] } },
    'transient',
    'gateway_error',
  ],
  [
    // The same timeout in the existence check, outside the try (issue #1509).
    '§6.2 a WhatsApp query timed out in the number check',
    500,
    { status: 500, error: 'Internal Server Error', response: { message: 'Timed Out' } },
    'transient',
    'gateway_error',
  ],
  [
    '§3.5 logout while closed',
    400,
    {
      status: 400,
      error: 'Bad Request',
      response: { message: ['The "advisor-42" instance is not connected'] },
    },
    'not_connected',
    'not_connected',
  ],
  [
    '§3.10 blank text',
    400,
    { status: 400, error: 'Bad Request', response: { message: ['Text is required'] } },
    'permanent',
    'bad_request',
  ],
  [
    '§2 schema validation',
    400,
    { status: 400, error: 'Bad Request', response: { message: ['instance requires property "text"'] } },
    'permanent',
    'bad_request',
  ],
  [
    '§3.1 invalid integration',
    400,
    { status: 400, error: 'Bad Request', response: { message: ['Invalid integration'] } },
    'permanent',
    'bad_request',
  ],
  [
    '§3.11 data URI media',
    400,
    { status: 400, error: 'Bad Request', response: { message: ['Owned media must be a url or base64'] } },
    'permanent',
    'bad_request',
  ],
  [
    '§5 unknown group',
    400,
    { status: 400, error: 'Bad Request', response: { message: ['[object Object]'] } },
    'permanent',
    'bad_request',
  ],
  [
    '§2 whatsappNumbers raw HttpException',
    400,
    { status: 400, error: 'Bad Request', message: ['Invalid format'] },
    'permanent',
    'bad_request',
  ],
  ['§2 whatsappNumbers serialised Error', 400, {}, 'transient', 'gateway_error'],
  [
    '§2 whatsappNumbers serialised Boom on a closed socket',
    400,
    {
      data: null,
      isBoom: true,
      isServer: true,
      output: {
        statusCode: 428,
        payload: { statusCode: 428, error: 'Precondition Required', message: 'Connection Closed' },
      },
    },
    'not_connected',
    'not_connected',
  ],
  [
    '§3.11 media download failure',
    500,
    {
      status: 500,
      error: 'Internal Server Error',
      response: { message: ['Error: getaddrinfo ENOTFOUND x'] },
    },
    'transient',
    'gateway_error',
  ],
  // An image's file server refused the download (axios names the status): asking again gets the
  // same answer. The server's own trouble, or a "slow down", may pass.
  ...([404, 403, 410, 401, 400] as const).map((download): (typeof cases)[number] => [
    `§3.11 image URL answered ${download}`,
    500,
    mediaDownloadFailed(`AxiosError: Request failed with status code ${download}`),
    'permanent',
    'media_unavailable',
  ]),
  ...([500, 502, 503, 504, 408, 429] as const).map((download): (typeof cases)[number] => [
    `§3.11 image URL answered ${download}`,
    500,
    mediaDownloadFailed(`AxiosError: Request failed with status code ${download}`),
    'transient',
    'gateway_error',
  ]),
  // Baileys 7 keeps the status out of its message (a 404 and a 503 read the same), but throws it
  // only for an HTTP answer that is not a success: most often a dead or expired link, retried
  // eight times and counted towards the account-safety pause when read as a gateway_error.
  ...(['plan.pdf', 'receta de avena.mp4', 'consejo.ogg?v=2'] as const).map((name): (typeof cases)[number] => [
    `§3.11 document, video or audio URL refused, status not named (${name})`,
    500,
    mediaDownloadFailed(`Error: Failed to fetch stream from https://files.example.com/${name}`),
    'permanent',
    'media_unavailable',
  ]),
  [
    // Baileys' fetch failing to connect (no HTTP answer) says so otherwise: that may pass.
    '§3.11 media URL whose server cannot be reached',
    500,
    mediaDownloadFailed('TypeError: fetch failed'),
    'transient',
    'gateway_error',
  ],
  [
    '§7 2.4.0 licence gate',
    503,
    { error: 'service not activated', code: 'LICENSE_REQUIRED' },
    'transient',
    'gateway_error',
  ],
  ['a proxy rate limit', 429, 'Too Many Requests', 'transient', 'gateway_rate_limited'],
  ['a proxy gateway timeout', 504, '<html>504</html>', 'transient', 'gateway_timeout'],
  ['a proxy bad gateway', 502, '<html>502</html>', 'transient', 'gateway_error'],
  // Not Evolution's envelope: a proxy that cannot route to it, not an unknown instance.
  ["Traefik's 404 while Evolution restarts", 404, '404 page not found\n', 'transient', 'gateway_error'],
  [
    "nginx's 404 page",
    404,
    '<html><center><h1>404 Not Found</h1></center></html>',
    'transient',
    'gateway_error',
  ],
  ['an empty 404', 404, undefined, 'transient', 'gateway_error'],
  [
    'another 4xx',
    413,
    { status: 413, error: 'Payload Too Large', response: { message: ['too large'] } },
    'permanent',
    'bad_request',
  ],
];

describe('classifyHttpFailure', () => {
  it.each(cases)('%s (HTTP %i) → %s %s', (_name, status, body, kind, code) => {
    const error = classifyHttpFailure({ status, body });
    expect({ kind: error.kind, code: error.code, status: error.status }).toEqual({ kind, code, status });
  });

  it("says the status, not the HTML, of a proxy's error page", () => {
    const page = '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';
    expect(classifyHttpFailure({ status: 502, body: page }).message).toBe('Evolution API answered HTTP 502');
    expect(classifyHttpFailure({ status: 429, body: 'Too Many Requests' }).message).toBe('Too Many Requests');
  });

  it('says which status the media URL answered, in words', () => {
    const error = classifyHttpFailure({
      status: 500,
      body: mediaDownloadFailed('AxiosError: Request failed with status code 410'),
    });
    expect(error.message).toBe(
      'The media file could not be downloaded from its URL: the file server answered HTTP 410.',
    );
    expect(error.details).toEqual({ downloadStatus: 410 });
  });

  it('says the file server answered with an error when Evolution does not say which', () => {
    const error = classifyHttpFailure({
      status: 500,
      body: mediaDownloadFailed('Error: Failed to fetch stream from https://files.example.com/plan.pdf'),
    });
    expect(error.message).toBe(
      'The media file could not be downloaded from its URL: its file server answered with an HTTP error.',
    );
    expect(error.details).toEqual({ downloadStatus: null });
  });

  it('does not take a media download marker outside a 500 for one', () => {
    // A 400 is Evolution refusing our request; the words inside it decide nothing about a download.
    const error = classifyHttpFailure({
      status: 400,
      body: {
        status: 400,
        error: 'Bad Request',
        response: { message: ['AxiosError: Request failed with status code 404'] },
      },
    });
    expect(error.code).toBe('bad_request');
  });

  it('keeps the number Evolution refused', () => {
    const error = classifyHttpFailure({
      status: 400,
      body: {
        status: 400,
        error: 'Bad Request',
        response: {
          message: [{ jid: '5511999999999@s.whatsapp.net', exists: false, number: '5511999999999' }],
        },
      },
    });
    expect(error.details).toEqual({ jid: '5511999999999@s.whatsapp.net', number: '5511999999999' });
    // In words, not the raw object Evolution put in its message (it reached the advisor's screen).
    expect(error.message).toBe('5511999999999 has no WhatsApp account.');
  });

  it("uses Evolution's message as the error message", () => {
    const error = classifyHttpFailure({
      status: 404,
      body: { status: 404, error: 'Not Found', response: { message: ['The "x" instance does not exist'] } },
    });
    expect(error.message).toBe('The "x" instance does not exist');
  });

  it('reads the 200 {error:true} of connect as an internal failure', () => {
    const generic = classifyHttpFailure({
      status: 200,
      body: { error: true, message: '[object Object]' },
      embedded: true,
    });
    expect([generic.kind, generic.code]).toEqual(['transient', 'gateway_error']);
    const closed = classifyHttpFailure({
      status: 200,
      body: { error: true, message: 'Connection Closed' },
      embedded: true,
    });
    expect([closed.kind, closed.code]).toEqual(['not_connected', 'not_connected']);
  });

  it('reads Retry-After in seconds and as a date', () => {
    expect(classifyHttpFailure({ status: 429, body: '', retryAfter: '7' }).details).toEqual({
      retryAfterMs: 7000,
    });
    const later = new Date(Date.now() + 60_000).toUTCString();
    const details = classifyHttpFailure({ status: 429, body: '', retryAfter: later }).details;
    expect(details?.retryAfterMs).toBeGreaterThan(50_000);
  });

  it('tells an already logged-out instance from a dropped socket', () => {
    const notConnected = classifyHttpFailure({
      status: 400,
      body: {
        status: 400,
        error: 'Bad Request',
        response: { message: ['The "a" instance is not connected'] },
      },
    });
    const closed = classifyHttpFailure({
      status: 400,
      body: { status: 400, error: 'Bad Request', response: { message: ['Error: Connection Closed'] } },
    });
    expect(isAlreadyDisconnected(notConnected)).toBe(true);
    expect(isAlreadyDisconnected(closed)).toBe(false);
  });
});

describe('the message a failure carries', () => {
  it("is 2.4.0's licence gate's own words, not only its status", () => {
    // §7: the body has `error` and `code`, no `message`; the history and the logs said "Evolution
    // API answered HTTP 503", which did not point at the install's missing activation.
    const gated = classifyHttpFailure({
      status: 503,
      body: { error: 'service not activated', code: 'LICENSE_REQUIRED' },
    });
    expect(gated.message).toBe('service not activated (LICENSE_REQUIRED)');
    // An HttpException's `error` is the status's reason phrase: its message is in `response`.
    const refused = classifyHttpFailure({
      status: 400,
      body: { status: 400, error: 'Bad Request', response: { message: ['Number is required'] } },
    });
    expect(refused.message).toBe('Number is required');
    const bare = classifyHttpFailure({ status: 500, body: { status: 500, error: 'Internal Server Error' } });
    expect(bare.message).toBe('Evolution API answered HTTP 500');
  });
});

describe('classifyNetworkFailure', () => {
  const networkError = (code: string) => Object.assign(new Error(code), { code });

  it.each([
    ['ECONNREFUSED', 'gateway_unreachable', 'connect'],
    ['ENOTFOUND', 'gateway_unreachable', 'connect'],
    // DNS failing for now: no connection was opened, so the request never left.
    ['EAI_AGAIN', 'gateway_unreachable', 'connect'],
    ['ECONNRESET', 'gateway_unreachable', 'response'],
    ['UND_ERR_SOCKET', 'gateway_unreachable', 'response'],
    ['UND_ERR_CONNECT_TIMEOUT', 'gateway_timeout', 'connect'],
    ['UND_ERR_HEADERS_TIMEOUT', 'gateway_timeout', 'response'],
  ])('%s → transient %s (%s)', (code, expected, phase) => {
    const error = classifyNetworkFailure({ error: networkError(code), timedOut: false, timeoutMs: 1000 });
    expect([error.kind, error.code, error.details?.phase]).toEqual(['transient', expected, phase]);
  });

  it('finds the code inside an AggregateError (IPv4 and IPv6 both refused)', () => {
    const aggregate = new AggregateError([networkError('ECONNREFUSED'), networkError('ECONNREFUSED')]);
    const error = classifyNetworkFailure({ error: aggregate, timedOut: false, timeoutMs: 1000 });
    expect(error.code).toBe('gateway_unreachable');
  });

  it('reports our own deadline as a response timeout, whatever the abort error looks like', () => {
    const error = classifyNetworkFailure({ error: new Error('aborted'), timedOut: true, timeoutMs: 250 });
    expect([error.kind, error.code, error.details]).toEqual([
      'transient',
      'gateway_timeout',
      { phase: 'response', timeoutMs: 250 },
    ]);
  });

  it('wraps anything else as a transient gateway_error', () => {
    const error = classifyNetworkFailure({ error: new Error('weird'), timedOut: false, timeoutMs: 1000 });
    expect([error.kind, error.code]).toEqual(['transient', 'gateway_error']);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('mayHaveBeenProcessed', () => {
  const networkError = (code: string) => Object.assign(new Error(code), { code });
  const network = (code: string, timedOut = false) =>
    classifyNetworkFailure({ error: networkError(code), timedOut, timeoutMs: 1000 });
  const http = (status: number) => classifyHttpFailure({ status, body: { status, error: 'x' } });

  it.each([
    ['our own deadline', network('ABORT_ERR', true), true],
    ['a connection reset mid-request', network('ECONNRESET'), true],
    ['headers that never came', network('UND_ERR_HEADERS_TIMEOUT'), true],
    ['a proxy in front of Evolution giving up (504)', http(504), true],
    ['a refused connection', network('ECONNREFUSED'), false],
    ['a name lookup that failed for now', network('EAI_AGAIN'), false],
    ['a connect timeout', network('UND_ERR_CONNECT_TIMEOUT'), false],
    ["Evolution's own 408 (a WhatsApp query timed out)", http(408), false],
    ["Evolution's 500", http(500), false],
  ])('%s → %s', (_case, error, expected) => {
    expect(mayHaveBeenProcessed(error)).toBe(expected);
  });
});
