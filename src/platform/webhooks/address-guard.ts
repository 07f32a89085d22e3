import dns from 'node:dns';
import net from 'node:net';

/**
 * The SSRF guard: webhook URLs are chosen by API clients, so a delivery must never reach the server's own
 * network (cloud metadata at 169.254.169.254, databases on 10.x, admin ports on 127.0.0.1). The check runs
 * on the address actually connected to — inside the socket's DNS lookup — so a name that resolves to a
 * public address when the subscription is created and to a private one later (DNS rebinding) is caught.
 */

export type AddressClass =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'carrier-grade NAT'
  | 'multicast'
  | 'documentation'
  | 'reserved';

type Range = [prefix: number[], bits: number, kind: AddressClass];

// IPv4 ranges that are not publicly routable (IANA special-purpose registry), as [octets, prefix length].
const IPV4_RANGES: Range[] = [
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'carrier-grade NAT'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[192, 0, 2, 0], 24, 'documentation'],
  [[192, 88, 99, 0], 24, 'reserved'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'reserved'],
  [[198, 51, 100, 0], 24, 'documentation'],
  [[203, 0, 113, 0], 24, 'documentation'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'],
];

// IPv6 ranges as [16-bit groups, prefix length]. Forms that embed an IPv4 address are handled apart.
const IPV6_RANGES: Range[] = [
  [[0, 0, 0, 0, 0, 0, 0, 0], 128, 'unspecified'],
  [[0, 0, 0, 0, 0, 0, 0, 1], 128, 'loopback'],
  [[0x64, 0xff9b, 1], 48, 'reserved'],
  [[0x100, 0, 0, 0], 64, 'reserved'],
  [[0x2001, 0xdb8], 32, 'documentation'],
  [[0x2001, 0], 23, 'reserved'],
  [[0xfc00], 7, 'private'],
  [[0xfe80], 10, 'link-local'],
  [[0xfec0], 10, 'private'],
  [[0xff00], 8, 'multicast'],
];

function inRange(value: number[], prefix: number[], bits: number, width: number): boolean {
  for (let i = 0; bits > 0; i++, bits -= width) {
    const mask = bits >= width ? (1 << width) - 1 : ((1 << width) - 1) ^ ((1 << (width - bits)) - 1);
    if (((value[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function classifyIpv4(octets: number[]): AddressClass | null {
  for (const [prefix, bits, kind] of IPV4_RANGES) if (inRange(octets, prefix, bits, 8)) return kind;
  return null;
}

/** Eight 16-bit groups of an IPv6 address (zone id dropped, a trailing dotted IPv4 part folded in). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const o = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, -dotted[1]!.length)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
}

const v4Of = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];

function classifyIpv6(groups: number[]): AddressClass | null {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the embedded IPv4 address: judge that.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return classifyIpv4(v4Of(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyIpv4(v4Of(g6, g7));
  // 6to4 (2002:a.b.c.d::/48) tunnels to the embedded IPv4 address.
  if (g0 === 0x2002) return classifyIpv4(v4Of(g1, g2));
  for (const [prefix, bits, kind] of IPV6_RANGES) if (inRange(groups, prefix, bits, 16)) return kind;
  // ::/96 (IPv4-compatible, deprecated) and everything outside 2000::/3 (global unicast) is not public.
  if ((g0 & 0xe000) !== 0x2000) return 'reserved';
  return null;
}

/** Why an address is not public, or null when it is a public unicast address. */
export function nonPublicReason(address: string): AddressClass | null {
  const family = net.isIP(address.split('%')[0]!);
  if (family === 4) return classifyIpv4(address.split('.').map(Number));
  if (family === 6) return classifyIpv6(ipv6Groups(address));
  return 'reserved';
}

/** A delivery refused before any byte was sent. The message says why, for the delivery log. */
export class AddressRefused extends Error {
  readonly code = 'WEBHOOK_ADDRESS_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'AddressRefused';
  }
}

const HINT = 'set WEBHOOK_ALLOW_PRIVATE=1 to allow non-public addresses';

export function refusalFor(host: string, address: string, reason: AddressClass): AddressRefused {
  const shown = host === address ? address : `${host} (${address})`;
  return new AddressRefused(`refused to connect to ${shown}: ${reason} address; ${HINT}`);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request that resolves the name and keeps only public addresses, so the socket
 * can only ever connect to one of those. A name with no public address fails with AddressRefused.
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    const list = addresses as dns.LookupAddress[];
    const allowed = list.filter((entry) => nonPublicReason(entry.address) === null);
    if (allowed.length === 0) {
      const first = list[0];
      const refusal = first ? refusalFor(hostname, first.address, nonPublicReason(first.address)!) : new AddressRefused(`refused: ${hostname} has no address`);
      return callback(refusal as NodeJS.ErrnoException, '');
    }
    if (options.all) return callback(null, allowed);
    return callback(null, allowed[0]!.address, allowed[0]!.family);
  });
}
