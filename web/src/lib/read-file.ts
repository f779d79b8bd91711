/** Reads a picked file as base64 (no `data:` prefix), the way `media.base64` expects it. */
export function readFileAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.readAsDataURL(file);
  });
}

/**
 * The message type a picked file goes as. An SVG is a drawing written as XML text: WhatsApp
 * shows none as a photo, and the service, which tells an image by its bytes, refused it as
 * "not an image" (415), so the picker offered a file it could not send. It goes as a document.
 */
export function mediaTypeOf(mimetype: string): 'image' | 'video' | 'audio' | 'document' {
  if (mimetype === 'image/svg+xml') return 'document';
  if (mimetype.startsWith('image/')) return 'image';
  if (mimetype.startsWith('video/')) return 'video';
  if (mimetype.startsWith('audio/')) return 'audio';
  return 'document';
}
