import { describe, expect, it } from 'vitest';
import { allowedHosts, isAllowedHost, isAllowedOrigin } from './access.js';

const machine = { addresses: ['127.0.0.1', '192.168.1.20', 'fe80::1'], hostname: 'Workstation' };

describe('allowed Host names', () => {
  it('on loopback: only loopback names with the bound port', () => {
    const hosts = allowedHosts(19876, '127.0.0.1', machine);
    expect([...hosts].sort()).toEqual(['127.0.0.1:19876', '[::1]:19876', 'localhost:19876']);
    expect(isAllowedHost('192.168.1.20:19876', hosts)).toBe(false);
    expect(isAllowedHost('evil.example:19876', hosts)).toBe(false);
  });

  it('bound to every interface (--allow-remote): the machine’s addresses and name too, never another name', () => {
    const hosts = allowedHosts(19876, '0.0.0.0', machine);
    expect(isAllowedHost('192.168.1.20:19876', hosts)).toBe(true);
    expect(isAllowedHost('workstation:19876', hosts)).toBe(true);
    expect(isAllowedHost('[fe80::1]:19876', hosts)).toBe(true);
    expect(isAllowedHost('rebind.attacker.example:19876', hosts)).toBe(false);
    expect(isAllowedOrigin('http://192.168.1.20:19876', hosts)).toBe(true);
    expect(isAllowedOrigin('http://attacker.example', hosts)).toBe(false);
  });
});
