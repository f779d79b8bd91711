// Asks before leaving a screen with unsaved changes, and only while there are some: a move inside
// the app (a link, the back button) waits while the screen shows its question (`asking`); closing
// or reloading the tab gets the browser's own question.
import { useEffect, useState } from 'react';
import { holdNavigation } from './router';

export interface LeaveGuard {
  /** A move is waiting for the advisor's answer. */
  asking: boolean;
  /** Stay on the screen, changes kept. */
  stay: () => void;
  /** Make the move, changes lost. */
  leave: () => void;
}

export function useLeaveGuard(unsaved: boolean): LeaveGuard {
  const [pending, setPending] = useState<(() => void) | null>(null);

  useEffect(() => {
    if (!unsaved) return;
    const lift = holdNavigation((proceed) => setPending(() => proceed));
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers ask only when this is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      lift();
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
  };
}
