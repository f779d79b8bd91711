// A browser page signed in as a connected advisor, the way most dashboard tests start: the
// advisor (a fresh one, or one the test prepared), a page of its own at the given size, and a
// picture of it if the test fails.
import { connectedAdvisor, type ConnectedAdvisor } from '../../support/whatsapp.js';
import { shotOnFailure } from './advisor-actions.js';
import { DESKTOP, openPage, type PageWatch } from './browser.js';
import { useSessionOf } from './session.js';
import type { BrowserSuite } from './suite.js';

export type AdvisorPage = PageWatch & { advisor: ConnectedAdvisor };

/**
 * `advisorPage(name, viewport?, advisor?)` for a file's suite; `shotPrefix` starts the name of
 * the picture taken on failure. Viewports narrower than 500 px are opened as a phone (touch).
 */
export function advisorPages(
  suite: BrowserSuite,
  { shotPrefix = '' }: { shotPrefix?: string } = {},
): (
  name: string,
  viewport?: { width: number; height: number },
  advisor?: ConnectedAdvisor,
) => Promise<AdvisorPage> {
  return async (name, viewport = DESKTOP, advisor) => {
    const who = advisor ?? (await connectedAdvisor(suite.web.service, name));
    const opened = await openPage(suite.browser, suite.web.url, viewport, { isMobile: viewport.width < 500 });
    await useSessionOf(opened.context, who.client);
    shotOnFailure(opened.page, `${shotPrefix}${name.toLowerCase().replace(/\W+/g, '-')}`);
    return { advisor: who, ...opened };
  };
}
