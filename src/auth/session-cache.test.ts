import { describe, expect, it } from 'vitest';
import { SessionCache, sessionTokenOf } from './session-cache.js';

const ana = { advisorId: 'ana', role: 'user' as const };
const bea = { advisorId: 'bea', role: 'admin' as const };
const farFuture = new Date('2100-01-01T00:00:00Z');

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('SessionCache', () => {
  it('reuses a session for its TTL, then asks again', () => {
    const c = clock();
    const cache = new SessionCache(5_000, 100, c.now);
    cache.set('tok-a', ana, farFuture);
    c.advance(4_999);
    expect(cache.get('tok-a')).toEqual(ana);
    c.advance(1);
    expect(cache.get('tok-a')).toBeNull();
    expect(cache.size).toBe(0);
  });

  it('never keeps a session past its own expiry', () => {
    const c = clock();
    const cache = new SessionCache(5_000, 100, c.now);
    cache.set('tok-a', ana, new Date(c.now() + 1_000));
    c.advance(1_000);
    expect(cache.get('tok-a')).toBeNull();
    cache.set('tok-b', ana, new Date(c.now() - 1));
    expect(cache.get('tok-b')).toBeNull();
  });

  it('keeps nothing when the TTL is 0', () => {
    const cache = new SessionCache(0);
    cache.set('tok-a', ana, farFuture);
    expect(cache.get('tok-a')).toBeNull();
  });

  it("forgets every token of one advisor and only that advisor's", () => {
    const cache = new SessionCache(5_000);
    cache.set('tok-a1', ana, farFuture);
    cache.set('tok-a2', ana, farFuture);
    cache.set('tok-b', bea, farFuture);
    cache.forgetAdvisor('ana');
    expect(cache.get('tok-a1')).toBeNull();
    expect(cache.get('tok-a2')).toBeNull();
    expect(cache.get('tok-b')).toEqual(bea);
  });

  it('refuses a session read before a forget: it may be the one just signed out', () => {
    const cache = new SessionCache(5_000);
    const readAt = cache.generation;
    cache.forgetAdvisor('ana');
    cache.set('tok-a', ana, farFuture, readAt);
    expect(cache.get('tok-a')).toBeNull();
    const readAgain = cache.generation;
    cache.set('tok-a', ana, farFuture, readAgain);
    expect(cache.get('tok-a')).toEqual(ana);
    cache.clear();
    cache.set('tok-b', bea, farFuture, readAgain);
    expect(cache.get('tok-b')).toBeNull();
  });

  it('serves nothing while suspended, and starts empty when resumed', () => {
    const cache = new SessionCache(5_000);
    cache.set('tok-a', ana, farFuture);
    const readBefore = cache.generation;
    cache.suspend();
    expect(cache.serving).toBe(false);
    expect(cache.get('tok-a')).toBeNull();
    cache.set('tok-b', bea, farFuture, cache.generation);
    expect(cache.get('tok-b')).toBeNull();
    cache.resume();
    expect(cache.serving).toBe(true);
    expect(cache.get('tok-a')).toBeNull();
    // Read while revocations went unheard: refused even after the resume.
    cache.set('tok-a', ana, farFuture, readBefore);
    expect(cache.get('tok-a')).toBeNull();
    cache.set('tok-a', ana, farFuture, cache.generation);
    expect(cache.get('tok-a')).toEqual(ana);
  });

  it('keeps a credential without an expiry of its own for the TTL', () => {
    const c = clock();
    const cache = new SessionCache(5_000, 100, c.now);
    cache.set('key-hash', ana, null);
    c.advance(4_999);
    expect(cache.get('key-hash')).toEqual(ana);
    c.advance(1);
    expect(cache.get('key-hash')).toBeNull();
  });

  it('drops the oldest entry when full', () => {
    const cache = new SessionCache(5_000, 2);
    cache.set('t1', ana, farFuture);
    cache.set('t2', ana, farFuture);
    cache.set('t3', bea, farFuture);
    expect(cache.size).toBe(2);
    expect(cache.get('t1')).toBeNull();
    expect(cache.get('t3')).toEqual(bea);
  });
});

describe('sessionTokenOf', () => {
  it("reads better-auth's session cookie among others, over http and https", () => {
    expect(sessionTokenOf('lang=es; better-auth.session_token=abc.def%3D; x=1')).toBe('abc.def%3D');
    expect(sessionTokenOf('__Secure-better-auth.session_token=xyz')).toBe('xyz');
    expect(sessionTokenOf('better-auth.session_data=abc')).toBeNull();
    expect(sessionTokenOf('better-auth.session_token=')).toBeNull();
    expect(sessionTokenOf(undefined)).toBeNull();
  });

  it('reads none when there are two, of either name: better-auth may read the other one', () => {
    expect(sessionTokenOf('__Secure-better-auth.session_token=X; better-auth.session_token=real')).toBeNull();
    expect(sessionTokenOf('better-auth.session_token=a; better-auth.session_token=b')).toBeNull();
  });
});
