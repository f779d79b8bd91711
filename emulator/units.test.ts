// Unit checks of the pure pieces: JID normalisation, the date_time clock, validation messages, JWT shape.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { WallClock } from './core/clock.js';
import { createJid } from './core/jid.js';
import { validate } from './evolution/validate.js';
import { kebabName, toDotted, upperName } from './webhooks/events.js';
import { signHs256 } from './webhooks/jwt.js';

describe('createJid', () => {
  it.each([
    ['5511987654321', '5511987654321@s.whatsapp.net'],
    ['5531987654321', '553187654321@s.whatsapp.net'],
    ['5531912345678', '5531912345678@s.whatsapp.net'],
    ['5521987654321', '5521987654321@s.whatsapp.net'],
    ['5215512345678', '525512345678@s.whatsapp.net'],
    ['525512345678', '525512345678@s.whatsapp.net'],
    ['5491123456789', '541123456789@s.whatsapp.net'],
    ['+34 612 34 56 78', '34612345678@s.whatsapp.net'],
    ['34612345678:12@s.whatsapp.net', '34612345678@s.whatsapp.net'],
    ['123456789012345678', '123456789012345678@g.us'],
    ['5511987654321-1580000000@g.us', '5511987654321-1580000000@g.us'],
    ['5511987654321-1580000000', '5511987654321-1580000000@g.us'],
    ['123456789012345@lid', '123456789012345@lid'],
    ['status@broadcast', 'status@broadcast'],
  ])('%s → %s', (input, jid) => {
    expect(createJid(input)).toBe(jid);
  });
});

describe('WallClock', () => {
  it('shifts by the zone offset and keeps the Z', () => {
    const instant = Date.parse('2025-07-23T11:22:20.492Z');
    expect(new WallClock('America/Sao_Paulo').webhookDateTime(instant)).toBe('2025-07-23T08:22:20.492Z');
    expect(new WallClock('UTC').webhookDateTime(instant)).toBe('2025-07-23T11:22:20.492Z');
    expect(new WallClock('Europe/Madrid').webhookDateTime(instant)).toBe('2025-07-23T13:22:20.492Z');
    expect(new WallClock('Europe/Madrid').webhookDateTime(Date.parse('2025-01-10T10:00:00.000Z'))).toBe(
      '2025-01-10T11:00:00.000Z',
    );
  });
});

describe('validate', () => {
  it('words errors like jsonschema with the instance. prefix removed', () => {
    expect(
      validate(
        { webhook: { enabled: 'yes', events: ['NOPE'] } },
        {
          type: 'object',
          properties: {
            webhook: {
              type: 'object',
              properties: {
                enabled: { type: 'boolean' },
                events: { type: 'array', items: { type: 'string', enum: ['A', 'B'] } },
              },
              required: ['enabled', 'url'],
            },
          },
          required: ['webhook'],
        },
      ),
    ).toEqual([
      'webhook.enabled is not of a type(s) boolean',
      'webhook.events[0] is not one of enum values: A,B',
      'webhook requires property "url"',
    ]);
    expect(validate([], { type: 'object' })).toEqual(['instance is not of a type(s) object']);
  });
});

describe('event names', () => {
  it('converts between the three spellings', () => {
    expect(upperName('group-participants.update')).toBe('GROUP_PARTICIPANTS_UPDATE');
    expect(kebabName('messages.upsert')).toBe('messages-upsert');
    expect(toDotted('SEND_MESSAGE')).toBe('send.message');
    expect(toDotted('messages.update')).toBe('messages.update');
  });
});

describe('signHs256', () => {
  it('produces header.payload.signature with an HMAC-SHA256 over the first two parts', () => {
    const token = signHs256({ a: 1 }, 'k');
    const [head, body, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(head!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(signature).toBe(createHmac('sha256', 'k').update(`${head}.${body}`).digest('base64url'));
  });
});
