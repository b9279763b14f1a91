import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import {
  type AddressClass,
  classifyAddress,
  embeddedIPv4,
  parseIpAddress,
} from '../../src/index.js';
import { isIPv4Spelling } from '../../src/push-url/address-classification.js';

function classify(text: string): AddressClass {
  const address = parseIpAddress(text);
  expect(address, text).toBeDefined();
  return classifyAddress(address!);
}

describe('address classification', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['93.184.215.14', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::808:808', 'public'],
    ['2002:808:808::1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.255.255.255', 'private'],
    ['fd00::1', 'private'],
    ['169.254.0.1', 'link-local'],
    ['fe80::abcd', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.0', 'cgnat'],
    ['224.0.0.251', 'multicast'],
    ['ff05::2', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
    ['3fff::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['169.254.169.254', 'cloud-metadata'],
    ['::ffff:169.254.169.254', 'cloud-metadata'],
    ['64:ff9b::a9fe:a9fe', 'cloud-metadata'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['168.63.129.16', 'cloud-metadata'],
  ] as const)('%s is %s', (text, expected) => {
    expect(classify(text)).toBe(expected);
  });

  it('extracts the IPv4 address carried by mapped, NAT64, compatible and 6to4 forms', () => {
    for (const [v6, v4] of [
      ['::ffff:7f00:1', '127.0.0.1'],
      ['::ffff:0:a00:1', '10.0.0.1'],
      ['64:ff9b::c0a8:101', '192.168.1.1'],
      ['::a9fe:a9fe', '169.254.169.254'],
      ['2002:6440:1::', '100.64.0.1'],
    ] as const) {
      expect(embeddedIPv4(parseIpAddress(v6) as never)?.toString(), v6).toBe(v4);
    }
    expect(embeddedIPv4(parseIpAddress('2606:4700::1') as never)).toBeUndefined();
    expect(embeddedIPv4(parseIpAddress('::1') as never)).toBeUndefined();
  });

  it('parses only the spellings resolvers print, not loose IPv4 forms', () => {
    for (const loose of [
      '0x7f.1',
      '2130706433',
      '0177.0.0.1',
      '127.1',
      ' 127.0.0.1',
      'localhost',
      '',
    ]) {
      expect(parseIpAddress(loose), loose).toBeUndefined();
    }
  });

  it('knows an IPv4 spelling exactly when ipaddr.js does, without its thrown errors', () => {
    const texts = [
      '127.0.0.1',
      '0x7f.1',
      '0X7F.0.0.1',
      '2130706433',
      '4294967296',
      '0177.0.0.1',
      '08.1.1.1',
      '127.1',
      '1.2.3.256',
      '1.2.3.4.5',
      '0x',
      '1e3',
      '::1',
      'push.bench.example',
      'example.com.',
      '',
    ];
    for (let i = 0; i < 2000; i++) {
      const parts = Array.from({ length: 1 + (i % 5) }, (_, j) => {
        const n = (i * 7919 + j * 104729) % 70000;
        return [String(n), `0${n.toString(8)}`, `0x${n.toString(16)}`, `${n}a`][(i + j) % 4];
      });
      texts.push(parts.join('.'));
    }
    for (const text of texts) expect(isIPv4Spelling(text), text).toBe(ipaddr.IPv4.isValid(text));
  });
});
