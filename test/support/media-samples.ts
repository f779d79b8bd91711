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

/** An ISO base media box: its size, its four-letter type, its contents. */
const box = (type: string, ...contents: Buffer[]): Buffer => {
  const body = Buffer.concat(contents);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
};

/**
 * An M4A as Android recorders write it: an ftyp box with a generic major brand ("isom", "mp42"),
 * not "M4A ", and a movie whose one track is sound (handler "soun"), so nothing in the header
 * says audio.
 */
function audioOnlyMp4(majorBrand: string, ...compatible: string[]): Buffer {
  const ftyp = box(
    'ftyp',
    Buffer.from(majorBrand, 'latin1'),
    Buffer.from([0, 0, 2, 0]),
    ...compatible.map((brand) => Buffer.from(brand, 'latin1')),
  );
  const hdlr = box(
    'hdlr',
    Buffer.alloc(8),
    Buffer.from('soun'),
    Buffer.alloc(12),
    Buffer.from('SoundHandler\0'),
  );
  return Buffer.concat([ftyp, box('moov', box('trak', box('mdia', hdlr)))]);
}

export const M4A_ISOM = audioOnlyMp4('isom', 'isom', 'iso2', 'mp41');
export const M4A_MP42 = audioOnlyMp4('mp42', 'isom', 'mp42');

/** An EBML element whose contents fit a one-byte size. */
const ebml = (id: string, ...contents: Buffer[]): Buffer => {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from(id, 'hex'), Buffer.from([0x80 | body.length]), body]);
};
const byte = (value: number) => Buffer.from([value]);

/**
 * What Chrome's MediaRecorder writes for an "audio/webm;codecs=opus" recording: the EBML header
 * (DocType "webm"), a Segment of unknown size, and Tracks with one audio track (TrackType 2,
 * A_OPUS, mono 48 kHz).
 */
export const WEBM_AUDIO = Buffer.concat([
  ebml(
    '1a45dfa3',
    ebml('4286', byte(1)),
    ebml('42f7', byte(1)),
    ebml('42f2', byte(4)),
    ebml('42f3', byte(8)),
    ebml('4282', Buffer.from('webm')),
    ebml('4287', byte(4)),
    ebml('4285', byte(2)),
  ),
  Buffer.from('1853806701ffffffffffffff', 'hex'),
  ebml(
    '1654ae6b',
    ebml(
      'ae',
      ebml('d7', byte(1)),
      ebml('73c5', byte(1)),
      ebml('83', byte(2)),
      ebml('86', Buffer.from('A_OPUS')),
      ebml('e1', ebml('9f', byte(1)), ebml('b5', Buffer.from('473b8000', 'hex'))),
    ),
  ),
]);
