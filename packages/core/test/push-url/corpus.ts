import type { PushUrlRejectionReason } from '../../src/index.js';
import { fakeDns, PUBLIC_V4, PUBLIC_V6 } from './fake-dns.js';

/** A URL the strict policy must refuse, and the reason it must give. */
export interface HostileUrl {
  readonly url: string;
  readonly reason: PushUrlRejectionReason;
  readonly why: string;
}

/**
 * The zone the corpus resolves against: hostile names resolve to refused addresses; legitimate
 * ones to public addresses. Nothing here reaches a real DNS server.
 */
export function corpusDns() {
  return fakeDns({
    'hooks.example.com': [PUBLIC_V4],
    'v6only.example.com': [PUBLIC_V6],
    'dual.example.com': [PUBLIC_V4, PUBLIC_V6],
    'nat64.example.com': ['64:ff9b::5db8:d70e'],
    'xn--bcher-kva.example.com': [PUBLIC_V4],
    'a.partner.example': [PUBLIC_V4],
    'partner.example': [PUBLIC_V4],
    'other.example.com': [PUBLIC_V4],
    'internal.corp.example': ['10.20.0.5'],
    localhost: ['127.0.0.1', '::1'],
    'app.localhost': ['127.0.0.1'],
    'loopback.attacker.example': ['127.0.0.1'],
    'loopback6.attacker.example': ['::1'],
    'mixed.attacker.example': [PUBLIC_V4, '10.0.0.5'],
    'private.attacker.example': ['192.168.0.10'],
    'cgnat.attacker.example': ['100.64.1.1'],
    'metadata.attacker.example': ['169.254.169.254'],
    'mapped.attacker.example': ['::ffff:169.254.169.254'],
    'ula.attacker.example': ['fd00::1'],
    'zone.attacker.example': ['fe80::1%eth0'],
    'unspecified.attacker.example': ['0.0.0.0'],
    'empty.attacker.example': [],
    'garbage.attacker.example': ['not-an-address'],
    'loose.attacker.example': ['0x7f.1'],
    'xn--fa-hia.attacker.example': ['127.0.0.1'],
  });
}

/** Hostile spellings, each refused by the strict policy with the given reason. */
export const HOSTILE_URLS: readonly HostileUrl[] = [
  // Loopback, in every spelling the WHATWG parser folds into 127.0.0.1 or ::1.
  { url: 'https://127.0.0.1/hook', reason: 'loopback-address', why: 'dotted loopback' },
  { url: 'https://127.1/hook', reason: 'loopback-address', why: 'short form' },
  { url: 'https://2130706433/hook', reason: 'loopback-address', why: 'decimal' },
  { url: 'https://0177.0.0.1/hook', reason: 'loopback-address', why: 'octal first part' },
  { url: 'https://0x7f.1/hook', reason: 'loopback-address', why: 'hex short form' },
  { url: 'https://0x7f000001/hook', reason: 'loopback-address', why: 'hex whole' },
  { url: 'https://017700000001/hook', reason: 'loopback-address', why: 'octal whole' },
  { url: 'https://0x7f.0x0.0x0.0x1/hook', reason: 'loopback-address', why: 'hex every part' },
  { url: 'https://127.000.000.001/hook', reason: 'loopback-address', why: 'zero padded' },
  { url: 'https://127.0.0.1./hook', reason: 'loopback-address', why: 'trailing dot' },
  { url: 'https://127.255.255.254/hook', reason: 'loopback-address', why: 'end of 127/8' },
  { url: 'https://%31%32%37.0.0.1/hook', reason: 'loopback-address', why: 'percent-encoded host' },
  { url: 'https://①②⑦.0.0.1/hook', reason: 'loopback-address', why: 'unicode digits (NFKC)' },
  { url: 'https:\\\\127.0.0.1\\hook', reason: 'loopback-address', why: 'backslashes' },
  {
    url: 'https://127.0.0.1\t/hook',
    reason: 'loopback-address',
    why: 'tab stripped by the parser',
  },
  { url: 'https://[::1]/hook', reason: 'loopback-address', why: 'IPv6 loopback' },
  { url: 'https://[0:0:0:0:0:0:0:1]/hook', reason: 'loopback-address', why: 'IPv6 loopback, long' },
  { url: 'https://[::ffff:127.0.0.1]/hook', reason: 'loopback-address', why: 'IPv4-mapped' },
  { url: 'https://[::ffff:7f00:1]/hook', reason: 'loopback-address', why: 'IPv4-mapped, hex' },
  { url: 'https://[::127.0.0.1]/hook', reason: 'loopback-address', why: 'IPv4-compatible' },
  { url: 'https://[::ffff:0:127.0.0.1]/hook', reason: 'loopback-address', why: 'SIIT translated' },
  {
    url: 'https://[64:ff9b::127.0.0.1]/hook',
    reason: 'loopback-address',
    why: 'NAT64 well-known prefix',
  },
  {
    url: 'https://[2002:7f00:1::1]/hook',
    reason: 'loopback-address',
    why: '6to4 embedding 127.0.0.1',
  },
  { url: 'https://localhost/hook', reason: 'loopback-address', why: 'localhost' },
  {
    url: 'https://LOCALHOST./hook',
    reason: 'loopback-address',
    why: 'localhost, upper case, trailing dot',
  },
  {
    url: 'https://ｌｏｃａｌｈｏｓｔ/hook',
    reason: 'loopback-address',
    why: 'fullwidth localhost',
  },
  { url: 'https://loc%61lhost/hook', reason: 'loopback-address', why: 'percent-encoded localhost' },
  { url: 'https://api.localhost/hook', reason: 'loopback-address', why: 'a name under .localhost' },
  // Unspecified, private, unique-local.
  { url: 'https://0/hook', reason: 'unspecified-address', why: '0 means 0.0.0.0' },
  {
    url: 'https://0.0.0.0/hook',
    reason: 'unspecified-address',
    why: 'reaches local services on Linux',
  },
  { url: 'https://0.1.2.3/hook', reason: 'unspecified-address', why: '"this network" 0/8' },
  { url: 'https://[::]/hook', reason: 'unspecified-address', why: 'IPv6 unspecified' },
  {
    url: 'https://[::ffff:0.0.0.0]/hook',
    reason: 'unspecified-address',
    why: 'mapped unspecified',
  },
  { url: 'https://10.0.0.1/hook', reason: 'private-address', why: 'RFC 1918 10/8' },
  { url: 'https://012.0.0.1/hook', reason: 'private-address', why: 'octal 10' },
  { url: 'https://167772161/hook', reason: 'private-address', why: 'decimal 10.0.0.1' },
  { url: 'https://172.16.0.1/hook', reason: 'private-address', why: 'RFC 1918 172.16/12' },
  { url: 'https://172.31.255.255/hook', reason: 'private-address', why: 'end of 172.16/12' },
  { url: 'https://192.168.1.1/hook', reason: 'private-address', why: 'RFC 1918 192.168/16' },
  { url: 'https://0xc0a80101/hook', reason: 'private-address', why: 'hex 192.168.1.1' },
  { url: 'https://[::ffff:192.168.1.1]/hook', reason: 'private-address', why: 'mapped private' },
  { url: 'https://[fc00::1]/hook', reason: 'private-address', why: 'ULA fc00::/7' },
  { url: 'https://[fd12:3456::1]/hook', reason: 'private-address', why: 'ULA fd00::/8' },
  { url: 'https://[fec0::1]/hook', reason: 'private-address', why: 'deprecated site-local' },
  {
    url: 'https://[2002:c0a8:101::1]/hook',
    reason: 'private-address',
    why: '6to4 embedding 192.168.1.1',
  },
  {
    url: 'https://[64:ff9b::10.0.0.1]/hook',
    reason: 'private-address',
    why: 'NAT64 embedding 10.0.0.1',
  },
  // Link-local, CGNAT, multicast, broadcast.
  { url: 'https://169.254.1.1/hook', reason: 'link-local-address', why: '169.254/16' },
  { url: 'https://[fe80::1]/hook', reason: 'link-local-address', why: 'fe80::/10' },
  {
    url: 'https://[::ffff:169.254.1.1]/hook',
    reason: 'link-local-address',
    why: 'mapped link-local',
  },
  { url: 'https://[fe80::1%25eth0]/hook', reason: 'invalid-url', why: 'zone id (percent-encoded)' },
  { url: 'https://[fe80::1%eth0]/hook', reason: 'invalid-url', why: 'zone id (raw)' },
  { url: 'https://100.64.0.1/hook', reason: 'cgnat-address', why: 'CGNAT 100.64/10' },
  { url: 'https://100.127.255.254/hook', reason: 'cgnat-address', why: 'end of CGNAT' },
  { url: 'https://[::ffff:100.64.0.1]/hook', reason: 'cgnat-address', why: 'mapped CGNAT' },
  { url: 'https://224.0.0.1/hook', reason: 'multicast-address', why: 'IPv4 multicast' },
  { url: 'https://239.255.255.250/hook', reason: 'multicast-address', why: 'SSDP multicast' },
  { url: 'https://[ff02::1]/hook', reason: 'multicast-address', why: 'IPv6 multicast' },
  { url: 'https://255.255.255.255/hook', reason: 'broadcast-address', why: 'limited broadcast' },
  { url: 'https://4294967295/hook', reason: 'broadcast-address', why: 'decimal broadcast' },
  // Reserved, documentation, benchmarking, tunnelling.
  { url: 'https://192.0.2.10/hook', reason: 'reserved-address', why: 'TEST-NET-1' },
  { url: 'https://198.51.100.7/hook', reason: 'reserved-address', why: 'TEST-NET-2' },
  { url: 'https://203.0.113.9/hook', reason: 'reserved-address', why: 'TEST-NET-3' },
  { url: 'https://198.18.0.1/hook', reason: 'reserved-address', why: 'benchmarking 198.18/15' },
  { url: 'https://240.0.0.1/hook', reason: 'reserved-address', why: 'class E' },
  { url: 'https://192.88.99.1/hook', reason: 'reserved-address', why: '6to4 relay anycast' },
  { url: 'https://192.0.0.8/hook', reason: 'reserved-address', why: 'IETF protocol assignments' },
  { url: 'https://[2001:db8::1]/hook', reason: 'reserved-address', why: 'IPv6 documentation' },
  { url: 'https://[2001:2::1]/hook', reason: 'reserved-address', why: 'IPv6 benchmarking' },
  {
    url: 'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook',
    reason: 'reserved-address',
    why: 'Teredo',
  },
  { url: 'https://[100::1]/hook', reason: 'reserved-address', why: 'discard prefix' },
  {
    url: 'https://[::8.8.8.8]/hook',
    reason: 'reserved-address',
    why: 'IPv4-compatible (deprecated)',
  },
  { url: 'https://[64:ff9b:1::a00:1]/hook', reason: 'reserved-address', why: 'local-use NAT64' },
  // Cloud metadata, by address and by name.
  { url: 'https://169.254.169.254/latest/meta-data/', reason: 'cloud-metadata', why: 'IMDS' },
  { url: 'https://2852039166/latest/meta-data/', reason: 'cloud-metadata', why: 'IMDS decimal' },
  { url: 'https://0251.0376.0251.0376/', reason: 'cloud-metadata', why: 'IMDS octal' },
  { url: 'https://0xa9fea9fe/', reason: 'cloud-metadata', why: 'IMDS hex' },
  { url: 'https://169.254.43518/', reason: 'cloud-metadata', why: 'IMDS two-part' },
  { url: 'https://[::ffff:169.254.169.254]/', reason: 'cloud-metadata', why: 'IMDS mapped' },
  { url: 'https://[::ffff:a9fe:a9fe]/', reason: 'cloud-metadata', why: 'IMDS mapped, hex' },
  { url: 'https://[fd00:ec2::254]/', reason: 'cloud-metadata', why: 'AWS IMDS IPv6' },
  { url: 'https://169.254.170.2/v2/credentials', reason: 'cloud-metadata', why: 'ECS credentials' },
  { url: 'https://100.100.100.200/', reason: 'cloud-metadata', why: 'Alibaba metadata' },
  { url: 'https://168.63.129.16/', reason: 'cloud-metadata', why: 'Azure WireServer (public)' },
  {
    url: 'https://metadata.google.internal/computeMetadata/v1/',
    reason: 'cloud-metadata',
    why: 'GCP name',
  },
  {
    url: 'https://METADATA.google.internal./',
    reason: 'cloud-metadata',
    why: 'GCP name, case, dot',
  },
  { url: 'https://metadata/', reason: 'cloud-metadata', why: 'bare metadata name' },
  {
    url: 'https://169.254.169.254\\@hooks.example.com/',
    reason: 'cloud-metadata',
    why: 'backslash confusion',
  },
  // Names that point inside the network.
  { url: 'https://printer.local/hook', reason: 'special-use-host-name', why: 'mDNS .local' },
  { url: 'https://db.internal/hook', reason: 'special-use-host-name', why: '.internal' },
  {
    url: 'https://ip-10-0-0-1.ec2.internal/hook',
    reason: 'special-use-host-name',
    why: 'AWS private DNS',
  },
  { url: 'https://nas.home.arpa/hook', reason: 'special-use-host-name', why: '.home.arpa' },
  {
    url: 'https://1.0.0.127.in-addr.arpa/hook',
    reason: 'special-use-host-name',
    why: 'reverse zone',
  },
  { url: 'https://intranet/hook', reason: 'single-label-host', why: 'search-domain expansion' },
  {
    url: 'https://xn--localhost-/hook',
    reason: 'invalid-host',
    why: 'punycode decoding to localhost',
  },
  { url: 'https://127.0.0.1../hook', reason: 'invalid-host', why: 'two trailing dots' },
  { url: 'https://a..example.com/hook', reason: 'invalid-host', why: 'empty label' },
  { url: 'https://a*b.example.com/hook', reason: 'invalid-host', why: 'not a DNS character' },
  // Names resolving to refused addresses (through the injected resolver).
  {
    url: 'https://loopback.attacker.example/',
    reason: 'loopback-address',
    why: 'A record 127.0.0.1',
  },
  {
    url: 'https://loopback6.attacker.example/',
    reason: 'loopback-address',
    why: 'AAAA record ::1',
  },
  {
    url: 'https://mixed.attacker.example/',
    reason: 'private-address',
    why: 'one private answer among public',
  },
  {
    url: 'https://private.attacker.example/',
    reason: 'private-address',
    why: 'A record 192.168.0.10',
  },
  { url: 'https://cgnat.attacker.example/', reason: 'cgnat-address', why: 'A record in CGNAT' },
  {
    url: 'https://metadata.attacker.example/',
    reason: 'cloud-metadata',
    why: 'A record 169.254.169.254',
  },
  { url: 'https://mapped.attacker.example/', reason: 'cloud-metadata', why: 'AAAA mapped IMDS' },
  { url: 'https://ula.attacker.example/', reason: 'private-address', why: 'AAAA ULA' },
  { url: 'https://zone.attacker.example/', reason: 'link-local-address', why: 'AAAA with zone id' },
  {
    url: 'https://unspecified.attacker.example/',
    reason: 'unspecified-address',
    why: 'A record 0.0.0.0',
  },
  {
    url: 'https://faß.attacker.example/',
    reason: 'loopback-address',
    why: 'unicode host resolving to loopback',
  },
  {
    url: 'https://nx.attacker.example/',
    reason: 'unresolvable-host',
    why: 'NXDOMAIN fails closed',
  },
  { url: 'https://empty.attacker.example/', reason: 'unresolvable-host', why: 'no addresses' },
  {
    url: 'https://garbage.attacker.example/',
    reason: 'unresolvable-host',
    why: 'answer not an address',
  },
  {
    url: 'https://loose.attacker.example/',
    reason: 'unresolvable-host',
    why: 'answer in a loose spelling',
  },
  // Schemes, credentials, garbage.
  { url: `http://${PUBLIC_V4}/hook`, reason: 'insecure-scheme', why: 'plain http' },
  {
    url: 'http://169.254.169.254/latest/meta-data/',
    reason: 'insecure-scheme',
    why: 'the classic',
  },
  { url: `ftp://${PUBLIC_V4}/hook`, reason: 'scheme-not-allowed', why: 'ftp' },
  { url: 'file:///etc/passwd', reason: 'scheme-not-allowed', why: 'file' },
  { url: 'gopher://127.0.0.1:6379/_INFO', reason: 'scheme-not-allowed', why: 'gopher to redis' },
  { url: 'javascript:alert(1)', reason: 'scheme-not-allowed', why: 'javascript' },
  { url: 'data:text/plain,hi', reason: 'scheme-not-allowed', why: 'data' },
  {
    url: `https://user:pass@${PUBLIC_V4}/hook`,
    reason: 'credentials-in-url',
    why: 'user and password',
  },
  { url: 'https://user@hooks.example.com/hook', reason: 'credentials-in-url', why: 'user only' },
  {
    url: 'https://:secret@hooks.example.com/hook',
    reason: 'credentials-in-url',
    why: 'password only',
  },
  {
    url: 'https://127.0.0.1:443@hooks.example.com/',
    reason: 'credentials-in-url',
    why: 'host-looking userinfo',
  },
  { url: 'https://hooks.example.com:0/hook', reason: 'invalid-url', why: 'port 0' },
  { url: 'https://2001:db8::1/hook', reason: 'invalid-url', why: 'IPv6 without brackets' },
  { url: 'https://1.2.3.4.5/hook', reason: 'invalid-url', why: 'five-part number' },
  { url: '/relative/hook', reason: 'invalid-url', why: 'relative' },
  { url: 'not a url', reason: 'invalid-url', why: 'garbage' },
  { url: '', reason: 'invalid-url', why: 'empty' },
];

/** URLs the strict policy (with {@link corpusDns}) must accept. */
export const LEGITIMATE_URLS: readonly string[] = [
  'https://8.8.8.8/hook',
  'https://1.1.1.1:8443/a2a?task=1',
  'https://[2606:4700:4700::1111]/hook',
  'https://[::ffff:8.8.8.8]/hook',
  'https://[64:ff9b::8.8.8.8]/hook',
  'https://hooks.example.com/a2a/notify',
  'https://HOOKS.Example.COM./a2a',
  'https://hooks.example.com:8443/path?q=1#frag',
  'https://v6only.example.com/hook',
  'https://dual.example.com/hook',
  'https://nat64.example.com/hook',
  'https://bücher.example.com/hook',
];
