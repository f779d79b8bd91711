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

/** A WebM video's EBML header (DocType "webm") and the start of its Segment. */
export const WEBM = Buffer.concat([
  Buffer.from('1a45dfa39f4286810142f7810142f2810442f381084282847765626d4287810442858102', 'hex'),
  Buffer.alloc(40),
]);

/** A QuickTime movie's ftyp box (major brand "qt  "). */
export const QUICKTIME = Buffer.concat([
  Buffer.from('00000014667479707174202000000000', 'hex'),
  Buffer.alloc(40),
]);
