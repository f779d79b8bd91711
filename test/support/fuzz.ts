// Malformed and mutated requests for fuzzing every route: a seeded generator (a failure names its
// seed, so it can be replayed) of hostile path parameters, query strings and JSON bodies.
export type Random = () => number;

/** mulberry32: small, fast and good enough to pick mutations reproducibly. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const STRINGS = [
  '',
  ' ',
  'x'.repeat(10_000),
  '+34612345678',
  '612 34 56 78',
  '00000000-0000-0000-0000-000000000000',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '😀'.repeat(50),
  '<script>alert(1)</script>',
  "'; drop table whatsapp_message; --",
  '{nombre_cliente}',
  '{{}}{',
  '2026-13-45T99:99:99Z',
  'NaN',
  '-1',
  '1e309',
  'null',
  'STOP',
];
const SCALARS: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  ...STRINGS,
];

export function randomValue(random: Random, depth = 0): unknown {
  const roll = random();
  if (depth > 3 || roll < 0.6) return pick(random, SCALARS);
  if (roll < 0.8)
    return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  const keys = [
    'to',
    'text',
    'type',
    'media',
    'template',
    'variables',
    'body',
    'name',
    'key',
    'settings',
    'startsAt',
    'externalId',
    'optedOut',
    'kind',
    'message',
    'event',
    'instance',
    'data',
    '__proto__',
  ];
  return Object.fromEntries(
    Array.from({ length: Math.floor(random() * 5) }, () => [
      pick(random, keys),
      randomValue(random, depth + 1),
    ]),
  );
}

/** A body: random JSON, a valid body with one field broken, or bytes that are not JSON at all. */
export function randomBody(random: Random, valid: Record<string, unknown> | undefined): string {
  const roll = random();
  if (roll < 0.15) return pick(random, ['', '{', '[1,', 'null', '"x"', '{"a":1}}', '\u0000\u0001']);
  if (roll < 0.55 || !valid) return JSON.stringify(randomValue(random));
  const mutated: Record<string, unknown> = { ...valid };
  const keys = Object.keys(mutated);
  const key = keys.length > 0 ? pick(random, keys) : 'extra';
  if (random() < 0.3) delete mutated[key];
  else mutated[key] = randomValue(random);
  return JSON.stringify(mutated);
}

export function randomParam(random: Random): string {
  return encodeURIComponent(
    pick(
      random,
      STRINGS.filter((s) => s.length < 200),
    ),
  );
}

export function randomQuery(random: Random): string {
  const names = ['status', 'direction', 'phone', 'cursor', 'limit', 'since', 'until', 'from', 'refresh'];
  const parts = Array.from(
    { length: Math.floor(random() * 3) },
    () => `${pick(random, names)}=${randomParam(random)}`,
  );
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}
