// Whether a media URL points somewhere the gateway should be asked to fetch. Evolution downloads
// `media.url` itself, from inside its own network: a URL naming a loopback, private or link-local
// address (a cloud metadata service at 169.254.169.254, an admin port on 127.0.0.1) would have it
// fetch that for whoever wrote the URL, and a URL with a user and password would hand them over.
// Only literal addresses and `localhost` can be judged here; a public name that resolves to a
// private address is for the gateway's network to refuse.
import { BlockList, isIP } from 'node:net';

const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
// Besides loopback, unique-local, link-local and multicast: the ranges that carry an IPv4 address
// inside (IPv4-compatible ::a.b.c.d, SIIT's IPv4-translated ::ffff:0:a.b.c.d, NAT64 64:ff9b::,
// 6to4 2002::, Teredo 2001::/32), which reach whatever IPv4 address they hold (64:ff9b::7f00:1 is
// 127.0.0.1 through a NAT64 gateway), the discard-only 100::/64, the documentation 2001:db8::/32
// and the old site-local fec0::/10. No media is ever served from a literal address in them.
// IPv4-mapped ::ffff:a.b.c.d needs no rule: BlockList judges it by the IPv4 rules above (and a
// rule over ::ffff:0:0/96 would catch every IPv4 address as well).
for (const [network, prefix] of [
  ['::', 96],
  ['::1', 128],
  ['::ffff:0:0:0', 96],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** Why the gateway must not be sent to fetch this URL, or null when nothing here says so. */
export function mediaUrlProblem(url: URL): string | null {
  if (url.username || url.password) return 'must not carry a user or password';
  // A name may end in the root's dot ("localhost." is the fully qualified localhost, and resolvers
  // answer it as such): judged without it, or "https://localhost.:8080/" passed as a public host.
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must name a public host';
  const family = isIP(host);
  if (family === 0) return null;
  // An IPv4 address written inside IPv6 (::ffff:127.0.0.1) is judged as the IPv4 one.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1];
  const blocked = mapped
    ? NOT_PUBLIC.check(mapped, 'ipv4')
    : NOT_PUBLIC.check(host, family === 4 ? 'ipv4' : 'ipv6');
  return blocked ? 'must name a public host, not a private, loopback or link-local address' : null;
}
