import { describe, expect, it } from 'vitest';
import { GatewayError } from './errors.js';
import {
  e164ToNumber,
  isGroupJid,
  isLidJid,
  isPhoneJid,
  jidToE164,
  pickParticipantPhoneJid,
  pickPhoneJid,
} from './jid.js';

describe('e164ToNumber', () => {
  it('drops the plus: Evolution wants bare digits', () => {
    expect(e164ToNumber('+5511987654321')).toBe('5511987654321');
    expect(e164ToNumber('+34612345678')).toBe('34612345678');
  });

  it.each([
    '5511987654321',
    '+34 612 34 56 78',
    '+0123456789',
    '+12',
    '',
    '+1234567890123456',
    '34612@s.whatsapp.net',
  ])('refuses %j as a permanent invalid_number', (input) => {
    let caught: unknown;
    try {
      e164ToNumber(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect(caught).toMatchObject({ kind: 'permanent', code: 'invalid_number' });
  });
});

describe('jidToE164', () => {
  it.each([
    ['5511987654321@s.whatsapp.net', '+5511987654321'],
    ['5511987654321:12@s.whatsapp.net', '+5511987654321'],
    ['34612345678@c.us', '+34612345678'],
    // JIDs drop Argentina's mobile 9 and, on older accounts, Brazil's 9th digit; Mexico's keep the
    // old prefix 1: the number comes back as the normaliser writes it.
    ['541123456789@s.whatsapp.net', '+5491123456789'],
    ['541123456789:7@s.whatsapp.net', '+5491123456789'],
    ['553187654321@s.whatsapp.net', '+5531987654321'],
    ['5215512345678@s.whatsapp.net', '+525512345678'],
    ['5511987654321@S.WHATSAPP.NET', '+5511987654321'],
    ['123456789012345@lid', null],
    ['123456789012345:3@lid', null],
    ['120363025246125888@g.us', null],
    ['status@broadcast', null],
    ['5511987654321', null],
    ['@s.whatsapp.net', null],
    ['abc@s.whatsapp.net', null],
    ['', null],
    [null, null],
    [undefined, null],
  ])('%j → %j', (jid, expected) => {
    expect(jidToE164(jid)).toBe(expected);
  });
});

describe('JID kinds', () => {
  it('recognises groups, privacy ids and phone JIDs', () => {
    expect(isGroupJid('120363025246125888@g.us')).toBe(true);
    expect(isGroupJid('5511987654321@s.whatsapp.net')).toBe(false);
    expect(isLidJid('123456789012345@lid')).toBe(true);
    expect(isLidJid('123456789012345:7@lid')).toBe(true);
    expect(isLidJid('5511987654321@s.whatsapp.net')).toBe(false);
    expect(isPhoneJid('5511987654321:2@s.whatsapp.net')).toBe(true);
    expect(isPhoneJid('status@broadcast')).toBe(false);
    expect(isGroupJid(null)).toBe(false);
    expect(isLidJid(undefined)).toBe(false);
  });
});

describe('pickPhoneJid', () => {
  const phone = '5511987654321@s.whatsapp.net';
  const lid = '123456789012345@lid';

  it('takes remoteJid when it is a phone JID', () => {
    expect(pickPhoneJid({ remoteJid: phone })).toBe(phone);
  });

  it('takes remoteJidAlt when remoteJid is a privacy id (2.3.6)', () => {
    expect(pickPhoneJid({ remoteJid: lid, remoteJidAlt: phone })).toBe(phone);
  });

  it("accepts 2.3.7's swapped form (phone in remoteJid, lid in remoteJidAlt)", () => {
    expect(pickPhoneJid({ remoteJid: phone, remoteJidAlt: lid })).toBe(phone);
  });

  it('returns null when only a privacy id or a group is known', () => {
    expect(pickPhoneJid({ remoteJid: lid })).toBeNull();
    expect(pickPhoneJid({ remoteJid: lid, remoteJidAlt: null })).toBeNull();
    expect(pickPhoneJid({ remoteJid: '120363025246125888@g.us' })).toBeNull();
  });

  it('does the same for group authors', () => {
    expect(pickParticipantPhoneJid({ participant: lid, participantAlt: phone })).toBe(phone);
    expect(pickParticipantPhoneJid({ participant: `5511987654321:4@s.whatsapp.net` })).toBe(
      '5511987654321:4@s.whatsapp.net',
    );
  });
});
