// The smallest files a real type detector (file-type) recognises, for tests that send media.

/** The first page of an Ogg Opus voice note: the page header, then the OpusHead packet. */
export const OGG_OPUS = Buffer.concat([
  Buffer.from('OggS'),
  Buffer.from([0, 2, ...Array(20).fill(0), 1, 19]),
  Buffer.from('OpusHead'),
  Buffer.alloc(11),
]);

/** A PDF header and one empty object. */
export const PDF = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n');
