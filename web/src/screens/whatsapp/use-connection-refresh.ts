// Webhooks can be lost (the gateway restarted, the network dropped one): when the advisor opens
// the WhatsApp tab, or comes back to it, ask the server to poll the gateway's real state
// (GET /api/whatsapp/config?refresh=true) so the badge never shows a connection that is gone.
import { useEffect, useRef } from 'react';
import { api } from '../../lib/api-client';

export function useConnectionRefresh(onRefreshed: () => void): void {
  const latest = useRef(onRefreshed);
  latest.current = onRefreshed;

  useEffect(() => {
    const controller = new AbortController();
    const poll = () => {
      api
        .get('/api/whatsapp/config?refresh=true', { signal: controller.signal })
        // Reload rather than use this answer: a plain read already in flight may have started
        // before the poll changed anything and would land after it.
        .then(() => latest.current())
        // The screen's own load shows errors; a failed poll only means no fresher state.
        .catch(() => undefined);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') poll();
    };
    poll();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      controller.abort();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);
}
