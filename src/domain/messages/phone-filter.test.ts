import { describe, expect, it } from 'vitest';
import { readPhoneFilter } from './phone-filter.js';

describe('readPhoneFilter', () => {
  it.each([
    ['+34612345678', '+34612345678'],
    ['0034612345678', '+34612345678'],
    ['00 34 612 34 56 78', '+34612345678'],
    [' +52 1 55 1234 5678 ', '+525512345678'],
  ])('reads %j as the whole number %s', (raw, phone) => {
    expect(readPhoneFilter(raw)).toEqual({ phone });
  });

  it.each([
    ['34612345678', '+34612345678', '34612345678'],
    ['5215512345678', '+525512345678', '5215512345678'],
    // A Colombian mobile written nationally, which is also Belgium's +32 1505 7309.
    ['321 505 7309', '+3215057309', '3215057309'],
  ])(
    'reads the digits %j as the whole number %s or the numbers containing them',
    (raw, phone, phoneDigits) => {
      expect(readPhoneFilter(raw)).toEqual({ phone, phoneDigits });
    },
  );

  it.each([
    ['5678', '5678'],
    ['612 34', '61234'],
  ])('reads %j as the digits a number contains', (raw, phoneDigits) => {
    expect(readPhoneFilter(raw)).toEqual({ phoneDigits });
  });

  // Digits from a CJK keyboard: without a "+" they were dropped, so a national number found only
  // the whole number its digits made, and a few of them were 400.
  it.each([
    ['５５１２９８７６５４３２１', { phone: '+5512987654321', phoneDigits: '5512987654321' }],
    ['３２１ ５０５ ７３０９', { phone: '+3215057309', phoneDigits: '3215057309' }],
    ['５６７８', { phoneDigits: '5678' }],
    ['＋５５１２９８７６５４３２１', { phone: '+5512987654321' }],
  ])('reads the full-width %j as its ASCII digits', (raw, filter) => {
    expect(readPhoneFilter(raw)).toEqual(filter);
  });

  // Digits from an Arabic keyboard (U+0660…) or a Persian one (U+06F0…), which libphonenumber
  // reads too: they were dropped, so every filter written in them was refused (400).
  it.each([
    ['+٥٢١٥٥١٢٣٤٥٦٧٨', { phone: '+525512345678' }],
    ['٣٢١ ٥٠٥ ٧٣٠٩', { phone: '+3215057309', phoneDigits: '3215057309' }],
    ['۷۳۰۹', { phoneDigits: '7309' }],
    ['۰۰۳۴۶۱۲۳۴۵۶۷۸', { phone: '+34612345678' }],
  ])('reads the Arabic-Indic %j as its ASCII digits', (raw, filter) => {
    expect(readPhoneFilter(raw)).toEqual(filter);
  });

  // A national number with its trunk 0, as dialled at home: stored numbers never hold that 0.
  it.each([
    ['07700 900123', '7700900123'],
    ['0151 2345 6789', '15123456789'],
    ['06 1234', '61234'],
    ['0012', '0012'],
  ])('reads %j without its leading zeros, as %j', (raw, phoneDigits) => {
    expect(readPhoneFilter(raw)).toEqual({ phoneDigits });
  });

  it('refuses fewer than three digits', () => {
    expect(readPhoneFilter('+3')).toBeNull();
  });
});
