// Asks before leaving a screen with unsaved changes, and only while there are some: a move inside
// the app (a link, the back button) waits while the screen shows its question (`asking`); closing
// or reloading the tab gets the browser's own question.
import { useEffect, useRef, useState } from 'react';
import { holdNavigation } from './router';

export interface LeaveGuard {
  /** A move is waiting for the advisor's answer. */
  asking: boolean;
  /** Stay on the screen, changes kept. */
  stay: () => void;
  /** Make the move, changes lost. */
  leave: () => void;
  /**
   * Lifts the hold at once, for a move the screen makes itself once the work is safe (after a
   * save): the state that says so only reaches the hold on the next render.
   */
  release: () => void;
}

export function useLeaveGuard(unsaved: boolean): LeaveGuard {
  const [pending, setPending] = useState<(() => void) | null>(null);
  const liftRef = useRef<(() => void) | null>(null);

  useEffect(() => {
    if (!unsaved) return;
    const lift = holdNavigation((proceed) => setPending(() => proceed));
    liftRef.current = lift;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers ask only when this is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      lift();
      liftRef.current = null;
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [unsaved]);

  return {
    asking: pending !== null,
    stay: () => setPending(null),
    leave: () => {
      setPending(null);
      pending?.();
    },
    release: () => liftRef.current?.(),
  };
}
