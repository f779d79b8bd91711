import { describe, expect, it } from 'vitest';
import { classifyHttpFailure, classifyNetworkFailure } from '../../gateway/classify-failure.js';
import { countsTowardsPause } from './pause-sending.js';

const evolution500 = {
  status: 500,
  error: 'Internal Server Error',
  response: { message: ['rate-overlimit'] },
};
const notOnWhatsApp = {
  status: 400,
  error: 'Bad Request',
  response: { message: [{ jid: '34600000000@s.whatsapp.net', exists: false, number: '34600000000' }] },
};

describe('countsTowardsPause', () => {
  it.each([
    ['Evolution refusing the number', classifyHttpFailure({ status: 400, body: notOnWhatsApp })],
    ["an error of WhatsApp's through Evolution", classifyHttpFailure({ status: 500, body: evolution500 })],
  ])('counts %s', (_name, error) => {
    expect(countsTowardsPause(error)).toBe(true);
  });

  it.each([
    [
      "a proxy's 404 (Traefik while Evolution restarts)",
      classifyHttpFailure({ status: 404, body: '404 page not found\n' }),
    ],
    ["a proxy's 502", classifyHttpFailure({ status: 502, body: '<html>502 Bad Gateway</html>' })],
    ["a proxy's 503", classifyHttpFailure({ status: 503, body: '<html>503</html>' })],
    ["a proxy's 504", classifyHttpFailure({ status: 504, body: '<html>504</html>' })],
    ["the gateway's rate limit", classifyHttpFailure({ status: 429, body: 'Too Many Requests' })],
    [
      // The advisor's file server refused the media URL: nothing WhatsApp said about the account.
      'a media URL its file server refused',
      classifyHttpFailure({
        status: 500,
        body: {
          status: 500,
          error: 'Internal Server Error',
          response: { message: ['AxiosError: Request failed with status code 404'] },
        },
      }),
    ],
    [
      'no answer in time',
      classifyNetworkFailure({ error: new Error('aborted'), timedOut: true, timeoutMs: 30_000 }),
    ],
    [
      'no connection',
      classifyNetworkFailure({
        error: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
        timedOut: false,
        timeoutMs: 30_000,
      }),
    ],
    [
      'a network error of no known kind',
      classifyNetworkFailure({ error: new Error('other side closed'), timedOut: false, timeoutMs: 30_000 }),
    ],
  ])('does not count %s', (_name, error) => {
    expect(countsTowardsPause(error)).toBe(false);
  });
});
