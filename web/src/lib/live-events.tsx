// One Server-Sent Events stream per signed-in dashboard (GET /api/whatsapp/events; the session
// cookie goes along same-origin). Screens subscribe to `status`, `message`, `inbound`,
// `conversation_read` and `appointment`. The browser retries dropped connections itself; when the server refuses
// the stream (an error status closes an EventSource for good) we reopen it with a growing delay.
// Events published while no stream is open are not replayed: a screen that loaded its data
// before the stream opened (a page load, where both start together) or while it was down reads
// again each time it opens (useLiveResync). Only `status` needs none: every stream starts with it.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Appointment, ConversationReadEvent, InboundEvent, StatusEvent } from './api-types';
import { SESSION_LOST } from './api-client';

export interface LiveEventMap {
  status: StatusEvent;
  /** `clientOptedOut` only when a client's edit into STOP opted them out. */
  message: InboundEvent;
  inbound: InboundEvent;
  conversation_read: ConversationReadEvent;
  /** Booked, rescheduled, cancelled (the appointment without its messages) or answered by the client. */
  appointment: Appointment;
}
export type LiveEventName = keyof LiveEventMap;
type Listener<K extends LiveEventName> = (data: LiveEventMap[K]) => void;

export type LiveState = 'connecting' | 'open' | 'retrying';

class LiveHub {
  private listeners: { [K in LiveEventName]: Set<Listener<K>> } = {
    status: new Set(),
    message: new Set(),
    inbound: new Set(),
    conversation_read: new Set(),
    appointment: new Set(),
  };

  on<K extends LiveEventName>(name: K, listener: Listener<K>): () => void {
    const set = this.listeners[name] as Set<Listener<K>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends LiveEventName>(name: K, data: LiveEventMap[K]): void {
    for (const l of this.listeners[name] as Set<Listener<K>>) l(data);
  }

  private readonly openListeners = new Set<() => void>();

  onOpen(listener: () => void): () => void {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }

  opened(): void {
    for (const l of this.openListeners) l();
  }
}

interface Live {
  hub: LiveHub;
  state: LiveState;
}

const LiveContext = createContext<Live | null>(null);
const EVENTS: LiveEventName[] = ['status', 'message', 'inbound', 'conversation_read', 'appointment'];

export function LiveEventsProvider({
  url = '/api/whatsapp/events',
  children,
}: {
  url?: string;
  children: ReactNode;
}) {
  const hub = useRef(new LiveHub()).current;
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = 1_000;
    let stopped = false;

    const open = () => {
      source = new EventSource(url, { withCredentials: true });
      source.onopen = () => {
        delay = 1_000;
        setState('open');
        hub.opened();
      };
      source.onerror = () => {
        if (stopped || !source) return;
        if (source.readyState === EventSource.CLOSED) {
          setState('retrying');
          source.close();
          timer = setTimeout(open, delay);
          delay = Math.min(delay * 2, 30_000);
        } else {
          setState('connecting');
        }
      };
      // The server ends the stream this way when the session (or key) that opened it is gone:
      // signed out elsewhere, expired. Same outcome as a 401 from any request.
      source.addEventListener('unauthorized', () => {
        stopped = true;
        source?.close();
        window.dispatchEvent(new Event(SESSION_LOST));
      });
      for (const name of EVENTS) {
        source.addEventListener(name, (event) => {
          try {
            hub.emit(name, JSON.parse((event as MessageEvent<string>).data) as never);
          } catch {
            /* a malformed event is ignored; the next one will do */
          }
        });
      }
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [hub, url]);

  return <LiveContext.Provider value={{ hub, state }}>{children}</LiveContext.Provider>;
}

/** Calls `listener` for each event of that name while the component is mounted. */
export function useLiveEvent<K extends LiveEventName>(name: K, listener: Listener<K>): void {
  const ctx = useContext(LiveContext);
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => ctx?.hub.on(name, (data) => latest.current(data)), [ctx, name]);
}

/**
 * Calls `resync` each time the live stream opens while the component is mounted: what was
 * published before (while its data was on its way, or the stream was down) was not delivered.
 * A component mounted while the stream is already open read its data after the server
 * subscribed it, so it is called only on a later reconnect.
 */
export function useLiveResync(resync: () => void): void {
  const ctx = useContext(LiveContext);
  const latest = useRef(resync);
  latest.current = resync;
  useEffect(() => ctx?.hub.onOpen(() => latest.current()), [ctx]);
}

export function useLiveState(): LiveState {
  return useContext(LiveContext)?.state ?? 'connecting';
}
