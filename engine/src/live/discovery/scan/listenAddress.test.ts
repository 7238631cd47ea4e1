import { describe, expect, it } from 'vitest';
import { loopbackHostFor, parseListenAddress } from './listenAddress.js';

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:4096', { address: '127.0.0.1', port: 4096 }],
    ['[::1]:4096', { address: '::1', port: 4096 }],
    ['[::]:4096', { address: '::', port: 4096 }],
    ['*:4096', { address: '0.0.0.0', port: 4096 }],
    ['0.0.0.0:135', { address: '0.0.0.0', port: 135 }],
    ['[fe80::1%4]:4096', { address: 'fe80::1', port: 4096 }],
    ['127.0.0.1.4096', { address: '127.0.0.1', port: 4096 }],
    ['*.4096', { address: '0.0.0.0', port: 4096 }],
    ['::1.4096', { address: '::1', port: 4096 }],
    ['127.0.0.1:4096 (LISTEN)', { address: '127.0.0.1', port: 4096 }],
    ['127.0.0.1:4096->127.0.0.1:53211', { address: '127.0.0.1', port: 4096 }],
  ])('%s', (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });

  it('maps an IPv6 wildcard when the family is known', () => {
    expect(parseListenAddress('*:4096', 'ipv6')).toEqual({ address: '::', port: 4096 });
  });

  it('rejects text without a valid port', () => {
    for (const bad of ['', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '[::1]', 'localhost:http', '*:*']) {
      expect(parseListenAddress(bad)).toBeUndefined();
    }
  });
});

describe('loopbackHostFor', () => {
  it('reaches loopback and wildcard listeners through loopback only', () => {
    expect(loopbackHostFor('127.0.0.1')).toBe('127.0.0.1');
    expect(loopbackHostFor('0.0.0.0')).toBe('127.0.0.1');
    expect(loopbackHostFor('::')).toBe('127.0.0.1');
    expect(loopbackHostFor('::1')).toBe('[::1]');
    expect(loopbackHostFor('192.168.1.20')).toBeUndefined();
    expect(loopbackHostFor('2001:db8::1')).toBeUndefined();
  });
});
