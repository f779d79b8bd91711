import { describe, expect, it } from 'vitest';
import { es } from '../i18n/es';
import type { Translate } from '../i18n/i18n-context';
import { ApiError } from './api-client';
import { errorWords, messageErrorText } from './error-text';

const t: Translate = (key) => es[key];

describe('errorWords', () => {
  it('words a state_conflict neutrally, without the server English under it', () => {
    const words = errorWords(new ApiError(409, 'state_conflict', 'This appointment was cancelled.'), t);
    expect(words.text).toBe(es['err.state_conflict']);
    expect(words.text).not.toMatch(/conexión/);
    expect(words.detail).toBeNull();
  });
});

describe('messageErrorText', () => {
  it("words a media URL the gateway could not download in the advisor's language", () => {
    const text = messageErrorText(
      {
        code: 'media_unavailable',
        message: 'The media file could not be downloaded from its URL: the file server answered HTTP 404.',
      },
      t,
    );
    expect(text).toBe(es['err.media_unavailable']);
  });
});
