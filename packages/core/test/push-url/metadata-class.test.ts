import { describe, expect, it } from 'vitest';
import { createPushUrlPolicy, PushUrlRejectedError } from '../../src/index.js';
import { fakeDns, PUBLIC_V4 } from './fake-dns.js';

// Issue #17 item 9: allowedNetworks used to open metadata endpoints missing from the list
// ([fd20:ce::254], [fd00:42::42], 169.254.42.42, 169.254.0.23 under fd00::/8, 169.254.0.0/16).
// Metadata-class addresses open only for an entry that names the single address.

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(PushUrlRejectedError);
    return (error as PushUrlRejectedError).policyReason;
  }
}

const hex = (octets: number[], from: number) =>
  ((octets[from]! << 8) | octets[from + 1]!).toString(16);

/** Every way a URL can spell an IPv4 address that the WHATWG parser or a network maps back. */
function ipv4Spellings(address: string): string[] {
  const o = address.split('.').map(Number);
  const integer = o.reduce((sum, octet) => sum * 256 + octet, 0);
  return [
    address,
    `${address}.`,
    String(integer),
    `0x${integer.toString(16)}`,
    o.map((octet) => `0${octet.toString(8)}`).join('.'),
    o.map((octet) => `0x${octet.toString(16)}`).join('.'),
    `${o[0]}.${o[1]}.${o[2]! * 256 + o[3]!}`,
    `[::ffff:${address}]`,
    `[::ffff:${hex(o, 0)}:${hex(o, 2)}]`,
    `[64:ff9b::${address}]`,
    `[2002:${hex(o, 0)}:${hex(o, 2)}::1]`,
  ];
}

const V4_METADATA = [
  '169.254.169.254',
  '169.254.170.2',
  '169.254.170.23',
  '169.254.42.42',
  '169.254.0.23',
  '100.100.100.200',
  '192.0.0.192',
  '168.63.129.16',
];
const V6_METADATA = [
  'fd00:ec2::254',
  'fd00:ec2::23',
  'fd20:ce::254',
  'fd00:42::42',
  'fe80::a9fe:a9fe',
];
const v6Spellings = (address: string) => [
  `[${address}]`,
  `[${address.toUpperCase()}]`,
  // The fully expanded form.
  `[${address
    .replace('::', `:${'0:'.repeat(9 - address.split(':').length)}`)
    .replace(/:$/, ':0')}]`,
];

const EVERY_SPELLING = [
  ...V4_METADATA.flatMap((address) =>
    ipv4Spellings(address).map((host) => ({ address, host, reason: 'cloud-metadata' })),
  ),
  ...V6_METADATA.flatMap((address) =>
    v6Spellings(address).map((host) => ({ address, host, reason: 'cloud-metadata' })),
  ),
  // The rest of 169.254/16 is metadata-class too, with its own reason.
  ...ipv4Spellings('169.254.1.1').map((host) => ({
    address: '169.254.1.1',
    host,
    reason: 'link-local-address',
  })),
];

describe('push URL policy: metadata-class addresses and allowedNetworks', () => {
  it('refuses the endpoints of the review under fd00::/8 and 169.254.0.0/16', async () => {
    const policy = createPushUrlPolicy({ allowedNetworks: ['fd00::/8', '169.254.0.0/16'] });
    for (const url of [
      'https://[fd20:ce::254]/',
      'https://[fd00:42::42]/',
      'https://169.254.42.42/',
      'https://169.254.0.23/',
    ]) {
      expect(await outcome(policy(url)), url).toBe('cloud-metadata');
    }
    // The networks still open what is not metadata-class.
    expect(await outcome(policy('https://[fd00:1234::5]/'))).toBe('accepted');
  });

  // The widest allowance there is: every address a network can open.
  const everything = createPushUrlPolicy({ allowedNetworks: ['0.0.0.0/0', '::/0'] });

  it.each(EVERY_SPELLING)(
    'never opens $host through a network ($reason)',
    async ({ host, reason }) => {
      expect(await outcome(everything(`https://${host}/hook`))).toBe(reason);
    },
  );

  it('refuses host names that resolve to a metadata-class address, A or AAAA', async () => {
    const all = [...V4_METADATA, ...V6_METADATA, '169.254.1.1', '::ffff:169.254.77.1'];
    const zone = Object.fromEntries(
      all.map((address, index) => [`m${index}.attacker.example`, [PUBLIC_V4, address]]),
    );
    const policy = createPushUrlPolicy({
      resolver: fakeDns(zone),
      allowedNetworks: ['0.0.0.0/0', '::/0'],
    });
    for (const name of Object.keys(zone)) {
      expect(await outcome(policy(`https://${name}/hook`)), name).not.toBe('accepted');
    }
  });

  it('opens one metadata-class address named by a single-address entry, in every spelling', async () => {
    const policy = createPushUrlPolicy({
      allowedNetworks: ['169.254.42.42', '169.254.10.10/32', 'fd20:ce::254/128'],
    });
    for (const host of [...ipv4Spellings('169.254.42.42'), ...v6Spellings('fd20:ce::254')]) {
      expect(await outcome(policy(`https://${host}/hook`)), host).toBe('accepted');
    }
    expect(await outcome(policy('https://169.254.10.10/hook'))).toBe('accepted');
    // Its neighbours and every other endpoint stay refused.
    expect(await outcome(policy('https://169.254.42.43/'))).toBe('link-local-address');
    expect(await outcome(policy('https://169.254.169.254/'))).toBe('cloud-metadata');
    expect(await outcome(policy('https://[fd20:ce::253]/'))).toBe('private-address');
  });

  it('does not count a /31 or /127 as naming an address', async () => {
    const policy = createPushUrlPolicy({
      allowedNetworks: ['169.254.169.254/31', 'fd00:42::42/127'],
    });
    expect(await outcome(policy('https://169.254.169.254/'))).toBe('cloud-metadata');
    expect(await outcome(policy('https://169.254.169.255/'))).toBe('link-local-address');
    expect(await outcome(policy('https://[fd00:42::42]/'))).toBe('cloud-metadata');
  });

  it('keeps metadata host names refused whatever the allowance', async () => {
    const policy = createPushUrlPolicy({ allowedNetworks: ['169.254.169.254'] });
    expect(await outcome(policy('https://metadata.google.internal/'))).toBe('cloud-metadata');
  });
});
