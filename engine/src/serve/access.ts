/**
 * Access control for everything the engine serves. A monitor of someone's agents must not become the way in:
 * a per-install token on every call, and Host/Origin checks against DNS rebinding and cross-site WebSocket
 * hijacking. The checks are pure; `token.ts` owns the file.
 */
import { timingSafeEqual } from 'node:crypto';
import os from 'node:os';

export const TOKEN_COOKIE = 'ocm_token';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * The Host header values a request may carry: loopback names with the bound port, plus the bind host. Bound to
 * every interface (`0.0.0.0`, `::`, only with --allow-remote), clients name the machine by one of its addresses
 * or its host name, so those are allowed too; anything else (a rebinding domain) is still refused.
 */
export function allowedHosts(port: number, bindHost: string, machine: { addresses: readonly string[]; hostname: string } = machineNames()): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  const add = (host: string) => names.add(host.includes(':') ? `[${host}]` : host.toLowerCase());
  if (!LOOPBACK_NAMES.includes(bindHost)) add(bindHost);
  if (bindHost === '0.0.0.0' || bindHost === '::') {
    for (const address of machine.addresses) add(address);
    add(machine.hostname);
  }
  return new Set([...names].map((name) => `${name}:${port}`));
}

function machineNames(): { addresses: string[]; hostname: string } {
  const addresses = Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address.split('%')[0]!));
  return { addresses, hostname: os.hostname() };
}

export function isAllowedHost(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  return host !== undefined && allowed.has(host.toLowerCase());
}

/** A missing Origin (curl, scripts) is allowed; a present one must be this server's own. */
export function isAllowedOrigin(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && allowed.has(url.host.toLowerCase());
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const piece of (header ?? '').split(';')) {
    const eq = piece.indexOf('=');
    if (eq > 0) cookies.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
  }
  return cookies;
}

/** The token a request presents: `Authorization: Bearer`, the cookie, or `?token=` (the printed URL). */
export function presentedToken(url: URL, headers: { authorization?: string | undefined; cookie?: string | undefined }): string | undefined {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  return parseCookies(headers.cookie).get(TOKEN_COOKIE) ?? url.searchParams.get('token') ?? undefined;
}

export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export type AccessDecision =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly status: 401 | 403 | 421; readonly message: string };

/**
 * The checks every HTTP request and WebSocket upgrade passes, in order: Host (DNS rebinding → 421), Origin
 * (cross-site pages → 403), token (→ 401). Pure, so the REST tests and the server apply exactly the same rules.
 */
export function checkAccess(
  req: { url?: string | undefined; headers: { host?: string | undefined; origin?: string | undefined; authorization?: string | undefined; cookie?: string | undefined } },
  hosts: ReadonlySet<string>,
  token: string,
): AccessDecision {
  if (!isAllowedHost(req.headers.host, hosts)) return { ok: false, status: 421, message: `Host "${req.headers.host ?? ''}" is not this server` };
  if (!isAllowedOrigin(req.headers.origin, hosts)) return { ok: false, status: 403, message: `Origin "${req.headers.origin ?? ''}" is not allowed` };
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!tokenMatches(presentedToken(url, req.headers), token)) return { ok: false, status: 401, message: 'missing or wrong token' };
  return { ok: true, url };
}
