// The send route's body limit must carry a file at MEDIA_MAX_BYTES however its base64 is wrapped:
// MIME encoders break lines every 76 characters, with CRLF (Java, .NET) or LF, and JSON escapes
// each break ("\r\n" is 4 bytes of body, "\n" 2).
import { describe, expect, it } from 'vitest';
import { sendBodyLimit } from './media-limit.js';

const MB = 1024 * 1024;

function sendBody(fileBytes: number, lineBreak: string): number {
  const base64 = Buffer.alloc(fileBytes, 0xa5).toString('base64');
  const wrapped = base64.match(/.{1,76}/g)!.join(lineBreak);
  const body = JSON.stringify({
    to: '+5215512345678',
    type: 'document',
    caption: 'Plan de alimentación',
    media: { base64: wrapped, mimetype: 'application/pdf', fileName: 'plan.pdf' },
  });
  return Buffer.byteLength(body);
}

describe('sendBodyLimit', () => {
  // 40 MB: past the size where the 1 MB of slack stopped covering CRLF's two extra bytes a line.
  it.each([
    ['CRLF', '\r\n'],
    ['LF', '\n'],
    ['no', ''],
  ])('takes a file at the media limit as base64 with %s line breaks', (_, lineBreak) => {
    const limits = { httpBodyBytes: 24 * MB, mediaBytes: 40 * MB };
    expect(sendBody(limits.mediaBytes, lineBreak)).toBeLessThanOrEqual(sendBodyLimit(limits));
  });

  it('is never below HTTP_BODY_LIMIT', () => {
    const limits = { httpBodyBytes: 24 * MB, mediaBytes: 1 * MB };
    expect(sendBodyLimit(limits)).toBe(limits.httpBodyBytes);
    expect(sendBody(limits.mediaBytes, '\r\n')).toBeLessThanOrEqual(sendBodyLimit(limits));
  });
});
