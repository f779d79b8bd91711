// The preview of the template being edited: rendered in the browser while the draft differs from
// what is saved, and by the server (POST /templates/:id/preview) once it matches, so `missing` and
// `unknown` come from the real rules.
import { useEffect, useMemo, useState } from 'react';
import { api, enc } from '../../lib/api-client';
import type { TemplatePreview } from '../../lib/api-types';
import { renderDraft, variablesIn } from '../../lib/template-render';
import { useDebounced } from '../../lib/use-debounced';

export function useTemplatePreview(
  id: string | null,
  body: string,
  /** The saved body, or null while the draft differs from what is saved (body or category). */
  savedBody: string | null,
  values: Record<string, string>,
  allowed: ReadonlySet<string> | null,
): TemplatePreview & { source: 'local' | 'server' } {
  const local = useMemo(() => renderDraft(body, values, allowed), [body, values, allowed]);
  const settledValues = useDebounced(values, 350);
  const [server, setServer] = useState<{ key: string; preview: TemplatePreview } | null>(null);
  const matchesSaved = id !== null && savedBody === body;
  const requestKey = JSON.stringify([id, settledValues]);

  useEffect(() => {
    if (!matchesSaved || !id) return;
    const controller = new AbortController();
    // Only the variables the body uses: the server lists any other as `unknown`.
    const used = new Set(variablesIn(body));
    const variables = Object.fromEntries(
      Object.entries(settledValues).filter(([k, v]) => used.has(k) && v.trim() !== ''),
    );
    api
      .post<TemplatePreview>(
        `/api/whatsapp/templates/${enc(id)}/preview`,
        { variables },
        { signal: controller.signal },
      )
      .then((preview) => setServer({ key: requestKey, preview }))
      .catch(() => setServer(null));
    return () => controller.abort();
  }, [matchesSaved, id, body, settledValues, requestKey]);

  if (matchesSaved && server?.key === requestKey) return { ...server.preview, source: 'server' };
  return { ...local, source: 'local' };
}
