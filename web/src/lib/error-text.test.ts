import { describe, expect, it } from 'vitest';
import { es } from '../i18n/es';
import type { Translate } from '../i18n/i18n-context';
import { ApiError } from './api-client';
import { errorWords, messageErrorText } from './error-text';

const t: Translate = (key) => es[key];

describe('errorWords', () => {
  it('words a state_conflict neutrally, without the server English under it', () => {
    const words = errorWords(new ApiError(409, 'state_conflict', 'This appointment was cancelled.'), t);
    expect(words.text).toBe(es['err.state_conflict']);
    expect(words.text).not.toMatch(/conexión/);
    expect(words.detail).toBeNull();
  });

  it("words the HTTP parser's refusals in the advisor's language", () => {
    const slow = errorWords(
      new ApiError(408, 'request_timeout', 'The request took too long to arrive; send it again.'),
      t,
    );
    expect(slow.text).toBe(es['err.request_timeout']);
    const headers = errorWords(
      new ApiError(431, 'headers_too_large', 'The request headers are too large.'),
      t,
    );
    expect(headers.text).toBe(es['err.headers_too_large']);
  });

  it('says a retry was refused because the file is no longer kept, not that something changed', () => {
    const words = errorWords(
      new ApiError(409, 'state_conflict', 'The file of this message is no longer kept…', {
        status: 'failed',
        reason: 'media_deleted',
      }),
      t,
    );
    expect(words.text).toBe(es['err.media_deleted']);
    expect(words.detail).toBeNull();
  });
});

describe('messageErrorText', () => {
  it("words a media URL the gateway could not download in the advisor's language", () => {
    const text = messageErrorText(
      {
        code: 'media_unavailable',
        message: 'The media file could not be downloaded from its URL: the file server answered HTTP 404.',
      },
      t,
    );
    expect(text).toBe(es['err.media_unavailable']);
  });
});

describe('messageErrorText for the reasons the server records in English', () => {
  // Skip, cancel and gateway reasons (ARCHITECTURE, "Appointment automation"; API-EXTENSIONS,
  // Message): the server's sentences, some with a UTC instant, were shown as they came.
  const reasons: [string, string][] = [
    ['reminder_time_passed', 'The reminder time (2026-12-05T11:22:50.493Z) had already passed.'],
    ['follow_up_time_passed', 'The follow-up time (2026-12-05T11:22:50.493Z) had already passed.'],
    ['appointment_in_past', 'The appointment had already started when this was planned.'],
    ['appointment_started', 'The appointment had already started when this could go out.'],
    ['appointment_rescheduled', 'The appointment changed after this message was written (version 1, now 2).'],
    ['appointment_missing', 'The appointment this message is about no longer exists.'],
    ['rescheduled', 'Replaced: the appointment changed (startsAt) before this message went out.'],
    ['quiet_hours', 'The reminder could only go out inside quiet hours (22:00–08:00).'],
    ['not_connected', 'The WhatsApp instance is not connected'],
    ['gateway_error', 'Request to Evolution API failed: fetch failed'],
    ['gateway_timeout', 'Evolution API did not answer within 15000 ms'],
    ['invalid_number', 'Expected an E.164 phone number like +34612345678, got "+1"'],
  ];
  it.each(reasons)('words %s in Spanish', (code, message) => {
    const text = messageErrorText({ code, message }, t, 'skipped');
    expect(text).not.toBe(message);
    expect(Object.values(es)).toContain(text);
  });

  it('tells a reminder quiet hours hold from one they made skip', () => {
    const error = {
      code: 'quiet_hours',
      message: 'Held back by quiet hours until 2026-12-06T07:00:00.000Z.',
    };
    expect(messageErrorText(error, t, 'scheduled')).toBe(es['msg.reason.quiet_hours_held']);
    expect(messageErrorText(error, t, 'skipped')).toBe(es['msg.reason.quiet_hours']);
  });
});

describe('messageErrorText for an error on our side', () => {
  const t: Translate = (key, vars) =>
    es[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name]));
  it("words a message failed by it in the advisor's language, keeping the reference for support", () => {
    const id = '3f1c2b7e-9a4d-4e0b-8c55-0d6f1e2a3b4c';
    const message = `Could not be processed after 8 attempts because of an error on our side (error id ${id}). Retry it once it is fixed.`;
    const text = messageErrorText({ code: 'internal_error', message }, t, 'failed');
    expect(text).toBe(es['msg.reason.internal'].replace('{id}', id));
  });

  it('says a message waiting after one will be tried again, not the raw error of the attempt', () => {
    for (const message of [
      'An error on our side stopped this attempt (error id 3f1c2b7e-9a4d-4e0b-8c55-0d6f1e2a3b4c); it will be tried again.',
      // What rows written before the reference carry: the attempt's raw error.
      'Failed query: update "whatsapp_message" set … integer out of range',
    ]) {
      const text = messageErrorText({ code: 'internal_error', message }, t, 'queued');
      expect(text).toBe(es['msg.reason.internal_retrying']);
    }
  });
});
