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

/** A chunk of an IFF-family file: its 4-letter id, its length (RIFF little-endian, AIFF big), its body. */
function iffChunk(id: string, body: Buffer, byteOrder: 'LE' | 'BE'): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'latin1');
  if (byteOrder === 'LE') header.writeUInt32LE(body.length, 4);
  else header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/**
 * A WAV as desktop recorders save it: a RIFF "WAVE" file with its fmt chunk (PCM, mono, 8 kHz,
 * 16 bits) and a data chunk of 16 silent samples.
 */
export const WAV = (() => {
  const samples = Buffer.alloc(16 * 2);
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0); // PCM
  fmt.writeUInt16LE(1, 2); // mono
  fmt.writeUInt32LE(8000, 4); // samples a second
  fmt.writeUInt32LE(8000 * 2, 8); // bytes a second
  fmt.writeUInt16LE(2, 12); // bytes a sample frame
  fmt.writeUInt16LE(16, 14); // bits a sample
  const chunk = (id: string, body: Buffer) => iffChunk(id, body, 'LE');
  return chunk('RIFF', Buffer.concat([Buffer.from('WAVE'), chunk('fmt ', fmt), chunk('data', samples)]));
})();

/**
 * An AIFF as macOS recorders and editors save it: a "FORM" of type "AIFF" with its COMM chunk
 * (mono, 16 samples of 16 bits at 8 kHz, the rate as an 80-bit extended float) and an SSND
 * chunk of 16 silent samples. Big-endian throughout.
 */
export const AIFF = (() => {
  const comm = Buffer.alloc(18);
  comm.writeUInt16BE(1, 0); // mono
  comm.writeUInt32BE(16, 2); // sample frames
  comm.writeUInt16BE(16, 6); // bits a sample
  Buffer.from('400bfa00000000000000', 'hex').copy(comm, 8); // 8,000 = 1.953125 × 2^12
  const ssnd = Buffer.alloc(8 + 16 * 2); // offset 0, block size 0, then the samples
  const chunk = (id: string, body: Buffer) => iffChunk(id, body, 'BE');
  return chunk('FORM', Buffer.concat([Buffer.from('AIFF'), chunk('COMM', comm), chunk('SSND', ssnd)]));
})();

/** FLAC's CRC-8 (polynomial 0x07) over a frame header, and CRC-16 (0x8005) over a whole frame. */
function flacCrc(bytes: Buffer, width: 8 | 16): number {
  const poly = width === 8 ? 0x07 : 0x8005;
  const top = 1 << (width - 1);
  const mask = (1 << width) - 1;
  let crc = 0;
  for (const value of bytes) {
    crc ^= value << (width - 8);
    for (let bit = 0; bit < 8; bit++) crc = crc & top ? ((crc << 1) ^ poly) & mask : (crc << 1) & mask;
  }
  return crc;
}

/**
 * A FLAC file: the "fLaC" marker, its one metadata block, STREAMINFO (blocks of 16 samples, 8 kHz,
 * mono, 16 bits, 16 samples in all, no MD5), and one frame of 16 silent samples (a CONSTANT
 * subframe of 0) with its CRCs.
 */
export const FLAC = (() => {
  const streamInfo = Buffer.alloc(34);
  streamInfo.writeUInt16BE(16, 0); // smallest block, in samples
  streamInfo.writeUInt16BE(16, 2); // largest block
  // Bytes 4-9, the smallest and largest frame sizes: 0, unknown. Then one word of 20 bits of
  // sample rate (8000), 3 of channels - 1 (0), 5 of bits a sample - 1 (15) and the top 4 bits of
  // the 36 that count the samples in all; the other 32 follow (16).
  streamInfo.writeUInt32BE((8000 << 12) | (15 << 4), 10);
  streamInfo.writeUInt32BE(16, 14);
  const header = Buffer.from([
    // The frame sync, with a fixed block size.
    0xff,
    0xf8,
    0x64, // block size: 8 bits of (size - 1) follow the header; sample rate 8 kHz
    0x08, // mono, 16 bits a sample
    0x00, // frame number 0
    0x0f, // block size - 1
  ]);
  const headed = Buffer.concat([header, Buffer.from([flacCrc(header, 8)])]);
  const frame = Buffer.concat([headed, Buffer.from([0x00, 0x00, 0x00])]); // CONSTANT subframe of 0
  const crc16 = Buffer.alloc(2);
  crc16.writeUInt16BE(flacCrc(frame, 16));
  return Buffer.concat([
    Buffer.from('fLaC'),
    Buffer.from([0x80, 0, 0, 34]), // the last metadata block, STREAMINFO, 34 bytes
    streamInfo,
    frame,
    crc16,
  ]);
})();

/** One MPEG-1 Layer III frame (128 kbit/s, 44.1 kHz, no ID3 tag): an MP3 of 26 ms of silence. */
export const MP3 = Buffer.concat([Buffer.from('fffb9064', 'hex'), Buffer.alloc(413)]);
