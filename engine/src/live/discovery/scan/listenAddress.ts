/**
 * Parses the "address + port" text that lsof, macOS netstat and Windows netstat print for a listening socket,
 * in all their forms: `127.0.0.1:4096`, `[::1]:4096`, `*:4096`, `[fe80::1%4]:4096`, and macOS netstat's dot
 * form `127.0.0.1.4096` / `*.4096` / `::1.4096`. Wildcards come back as '0.0.0.0' (or '::' for IPv6).
 */
import type { ListenSocket } from '../types.js';

function toPort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

function normaliseHost(host: string, family: 'ipv4' | 'ipv6' | undefined): string {
  if (host === '*' || host === '') return family === 'ipv6' ? '::' : '0.0.0.0';
  return host.replace(/%[^%]*$/, '');
}

export function parseListenAddress(raw: string, family?: 'ipv4' | 'ipv6'): ListenSocket | undefined {
  // lsof names a connection "local->remote" and may append "(LISTEN)"; the local side is what we want.
  const text = (raw.split('->')[0] ?? '').replace(/\s*\([A-Z_]+\)\s*$/, '').trim();
  const bracketed = /^\[([^\]]*)\]:(\d+)$/.exec(text);
  if (bracketed) {
    const port = toPort(bracketed[2] ?? '');
    return port === undefined ? undefined : { address: normaliseHost(bracketed[1] ?? '', 'ipv6'), port };
  }
  const colon = /^([^:]*):(\d+)$/.exec(text);
  if (colon) {
    const port = toPort(colon[2] ?? '');
    return port === undefined ? undefined : { address: normaliseHost(colon[1] ?? '', family), port };
  }
  const dot = /^(.+)\.(\d+)$/.exec(text);
  const dotHost = dot?.[1] ?? '';
  // Only a full IPv4, an IPv6 or '*' may precede the port: "127.0.0.1" alone is not "127.0.0" port 1.
  if (dot && (/^\d+\.\d+\.\d+\.\d+$/.test(dotHost) || dotHost === '*' || dotHost.includes(':'))) {
    const host = dotHost;
    const port = toPort(dot[2] ?? '');
    return port === undefined ? undefined : { address: normaliseHost(host, host.includes(':') ? 'ipv6' : family), port };
  }
  return undefined;
}

/** True for addresses a connection to the loopback interface reaches: loopback itself and wildcards. */
export function loopbackHostFor(address: string): string | undefined {
  if (address === '0.0.0.0' || address === '::' || address.startsWith('127.') || address === '::ffff:127.0.0.1') return '127.0.0.1';
  if (address === '::1') return '[::1]';
  return undefined;
}
