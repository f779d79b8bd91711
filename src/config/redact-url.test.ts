import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('hides the password and the user name, keeps where the server is', () => {
    const shown = redactUrl('rediss://default:SuperSecret@cache.example.com:6380/2');
    expect(shown).not.toContain('SuperSecret');
    expect(shown).not.toContain('default');
    expect(shown).toBe('rediss://***:***@cache.example.com:6380/2');
  });

  it('hides a password given without a user name', () => {
    expect(redactUrl('redis://:pw123@127.0.0.1:6399')).toBe('redis://:***@127.0.0.1:6399');
  });

  it('hides a password passed in the query', () => {
    const shown = redactUrl('postgres://db.example.com/app?sslmode=require&password=hunter2');
    expect(shown).not.toContain('hunter2');
    expect(shown).toContain('sslmode=require');
  });

  it('leaves a URL without credentials as it is', () => {
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('never echoes what it cannot parse (it may be a bare secret)', () => {
    expect(redactUrl('not a url with secret')).toBe('(unparseable URL)');
  });
});
