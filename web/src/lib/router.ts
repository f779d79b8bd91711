// A tiny history router: the current path as React state, navigate() to move, and match() to read
// parameters from patterns like `/inbox/:phone`. The server falls back to index.html for every
// page path, so deep links and reloads work. A screen with unsaved work can hold a navigation
// (holdNavigation) and let it go on later.
import { useSyncExternalStore } from 'react';

const CHANGE = 'ww:navigate';

const snapshot = (): string => window.location.pathname + window.location.search;

/** Takes a navigation the app was about to make; `proceed` makes it. */
export type NavigationHold = (proceed: () => void) => void;
let hold: { onHold: NavigationHold; at: string } | null = null;

/**
 * While set, every navigate() and the browser's back and forward buttons go to `onHold` instead;
 * returns what lifts the hold.
 */
export function holdNavigation(onHold: NavigationHold): () => void {
  const mine = { onHold, at: snapshot() };
  hold = mine;
  return () => {
    if (hold === mine) hold = null;
  };
}

if (typeof window !== 'undefined') {
  // Registered before any screen subscribes, so it runs first: the browser has already moved, so
  // the held page's address is put back before anything renders the other one, and the move is
  // made again only if the screen lets it.
  window.addEventListener('popstate', () => {
    if (!hold) return;
    const to = snapshot();
    window.history.pushState(null, '', hold.at);
    hold.onHold(() => go(to, {}));
  });
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

/**
 * Runs an action that leaves the screen without being a navigation (signing out): asked first,
 * like a link, while a screen holds navigation.
 */
export function leaveThen(action: () => void): void {
  if (hold) hold.onHold(action);
  else action();
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (hold) hold.onHold(() => go(to, options));
  else go(to, options);
}

function go(to: string, options: { replace?: boolean }): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
  if (!options.replace) window.scrollTo(0, 0);
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot);
  const [path = '/', search = ''] = href.split('?');
  return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, query: new URLSearchParams(search) };
}

/** `match('/inbox/:phone', '/inbox/%2B34…')` → `{ phone: '+34…' }`, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) {
      if (!g) return null;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (w !== g) return null;
  }
  return params;
}
