import type { Page } from 'playwright-core';

/**
 * The bodies of the page's requests `method` `path` (a path's end), as they are made: for a test
 * that a form sent nothing, or sent once.
 */
export function requestsTo(page: Page, method: string, path: string): string[] {
  const bodies: string[] = [];
  page.on('request', (r) => {
    if (r.method() === method && new URL(r.url()).pathname.endsWith(path)) bodies.push(r.postData() ?? '');
  });
  return bodies;
}
