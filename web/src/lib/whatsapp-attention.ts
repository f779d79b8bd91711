// What the shell warns about on every screen but WhatsApp's own: the number's link dropped, or
// sends are paused after a burst of failures. Either way messages wait in the queue, and an
// advisor busy on another screen would not know. Read from the config when the shell opens (and
// again on leaving the WhatsApp screen, where it may have been fixed), then kept by the live
// `status` events.
import { useEffect, useState } from 'react';
import { api } from './api-client';
import type { StatusEvent, WhatsappConfig } from './api-types';
import { useLiveEvent } from './live-events';

export type WhatsappAttention = 'disconnected' | 'sending_paused' | null;

export function attentionOf(state: Pick<StatusEvent, 'status' | 'alert'>): WhatsappAttention {
  if (state.status === 'disconnected') return 'disconnected';
  if (state.alert === 'sending_paused') return 'sending_paused';
  return null;
}

export function useWhatsappAttention(onWhatsappScreen: boolean): WhatsappAttention {
  const [state, setState] = useState<Pick<StatusEvent, 'status' | 'alert'> | null>(null);

  useEffect(() => {
    if (onWhatsappScreen) return;
    const controller = new AbortController();
    api
      .get<WhatsappConfig>('/api/whatsapp/config', { signal: controller.signal })
      .then((c) => setState({ status: c.status, alert: c.alert ?? null }))
      // No answer: nothing to warn about until an event says so.
      .catch(() => undefined);
    return () => controller.abort();
  }, [onWhatsappScreen]);

  useLiveEvent('status', (event) =>
    setState((prev) => ({
      status: event.status,
      // An event without `alert` leaves it as it was; null clears it.
      alert: event.alert !== undefined ? event.alert : (prev?.alert ?? null),
    })),
  );

  return onWhatsappScreen || !state ? null : attentionOf(state);
}
