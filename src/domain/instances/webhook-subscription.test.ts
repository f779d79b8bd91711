import { describe, expect, it } from 'vitest';
import { subscribedEvents, subscriptionOf, webhookSettingsFor } from './webhook-subscription.js';

const ctx = (edits: 'on' | 'off', webhookUrl = 'https://svc.example/api/whatsapp/webhook') => ({
  webhookUrl,
  config: { webhooks: { edits } },
});

describe('the webhook subscription', () => {
  it('asks for edits and deletions, and for deletions only with WEBHOOK_EDITS=off', () => {
    expect(subscribedEvents(ctx('on'))).toEqual(
      expect.arrayContaining(['MESSAGES_UPSERT', 'MESSAGES_UPDATE', 'MESSAGES_EDITED', 'MESSAGES_DELETE']),
    );
    const off = subscribedEvents(ctx('off'));
    expect(off).not.toContain('MESSAGES_EDITED');
    expect(off).toEqual(subscribedEvents(ctx('on')).filter((e) => e !== 'MESSAGES_EDITED'));
    expect(webhookSettingsFor(ctx('off'), 's3cret').events).toEqual(off);
  });

  it('records what changes it (the URL, the events), never the secret', () => {
    const on = subscriptionOf(ctx('on'));
    expect(subscriptionOf(ctx('on'))).toBe(on);
    expect(subscriptionOf(ctx('off'))).not.toBe(on);
    expect(subscriptionOf(ctx('on', 'https://new.example/api/whatsapp/webhook'))).not.toBe(on);
    expect(JSON.parse(on)).toEqual({
      url: 'https://svc.example/api/whatsapp/webhook',
      events: subscribedEvents(ctx('on')),
    });
    expect(webhookSettingsFor(ctx('on'), 's3cret').headers).toEqual({
      jwt_key: 's3cret',
      'x-webhook-secret': 's3cret',
    });
    expect(on).not.toContain('s3cret');
  });
});
