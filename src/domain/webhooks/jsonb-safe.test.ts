import { describe, expect, it } from 'vitest';
import { jsonbSafe, MAX_JSON_DEPTH, TooDeepError } from './jsonb-safe.js';

describe('jsonbSafe', () => {
  it('returns a clean body itself, without copying it', () => {
    const body = JSON.parse('{"event":"messages.upsert","data":{"key":{"id":"3A5F"},"list":[1,"dos",null]}}');
    expect(jsonbSafe(body)).toBe(body);
  });

  it('replaces NUL and unpaired surrogates, in values and in keys, in a copy', () => {
    const body = JSON.parse('{"a":"x\\u0000y","b\\ud800":["ok","\\udc00z","\\ud83d\\ude00"]}');
    const safe = jsonbSafe(body) as Record<string, unknown>;
    expect(safe).not.toBe(body);
    expect(safe).toEqual({ a: 'x\ufffdy', 'b\ufffd': ['ok', '\ufffdz', '\ud83d\ude00'] });
    expect((body as Record<string, string>).a).toBe('x\u0000y');
  });

  it('keeps "__proto__" as a plain key', () => {
    const body = JSON.parse('{"__proto__":{"polluted":"yes\\u0000"}}');
    const safe = jsonbSafe(body) as Record<string, unknown>;
    expect(Object.keys(safe)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses bodies nested deeper than the limit, clean or not', () => {
    const deep = JSON.parse('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1));
    expect(() => jsonbSafe(deep)).toThrow(TooDeepError);
    const justFits = JSON.parse('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH));
    expect(jsonbSafe(justFits)).toBe(justFits);
  });
});
