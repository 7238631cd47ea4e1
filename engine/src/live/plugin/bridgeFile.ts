/**
 * The bridge file tells the OpenCode plugin where the engine listens and which token to send:
 * `$XDG_STATE_HOME/opencode-monitor/bridge.json` (the engine's state dir), 0600 because the token is a
 * credential. The plugin reads it with its own copy of `parseBridgeEndpoint`'s rules (it is plain JavaScript
 * running inside OpenCode), so both refuse any host but loopback.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fail, ok } from '../../../../shared/src/index.js';
import type { Result } from '../../../../shared/src/index.js';
import { writeFileAtomic } from '../../persist/index.js';
import { errnoOf, ioProblem } from './fsProblems.js';

export const BRIDGE_FILE_NAME = 'bridge.json';
export const BRIDGE_FILE_VERSION = 1;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export type LoopbackHost = '127.0.0.1' | '::1';

/** What the engine publishes and the plugin needs. */
export interface BridgeEndpoint {
  readonly host: LoopbackHost;
  readonly port: number;
  readonly token: string;
}

export const bridgeFilePath = (stateDir: string): string => path.join(stateDir, BRIDGE_FILE_NAME);

/** A fresh random bearer token for one engine run (256 bits, URL-safe). */
export function createBridgeToken(): string {
  return randomBytes(32).toString('base64url');
}

const invalid = (message: string, source?: string): Result<never> =>
  fail({ code: 'parse.invalid-record', message: `${message}; the plugin bridge stays off until the engine rewrites it`, ...(source ? { source } : {}) });

/** Validates the bridge file's JSON. A missing host means 127.0.0.1; any non-loopback host is refused. */
export function parseBridgeEndpoint(raw: unknown, source?: string): Result<BridgeEndpoint> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return invalid('bridge file is not a JSON object', source);
  const { host = '127.0.0.1', port, token } = raw as Record<string, unknown>;
  if (host !== '127.0.0.1' && host !== '::1') return invalid(`bridge host ${JSON.stringify(host)} is not loopback (127.0.0.1 or ::1)`, source);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return invalid('bridge port is not a TCP port', source);
  if (typeof token !== 'string' || token.length === 0 || token.length > 512 || /\s/.test(token)) return invalid('bridge token is missing or malformed', source);
  return ok({ host, port, token });
}

/** Publishes the endpoint for plugins: creates the state dir (0700) if needed and writes the file 0600, atomically. */
export async function writeBridgeFile(stateDir: string, endpoint: { port: number; token: string; host?: LoopbackHost }): Promise<Result<string>> {
  const file = bridgeFilePath(stateDir);
  const content = { v: BRIDGE_FILE_VERSION, host: endpoint.host ?? '127.0.0.1', port: endpoint.port, token: endpoint.token, pid: process.pid };
  // Refuse to publish what the plugin would refuse to read.
  const valid = parseBridgeEndpoint(content, file);
  if (!valid.ok) return valid;
  try {
    await fs.mkdir(stateDir, { recursive: true, mode: DIR_MODE });
    await writeFileAtomic(file, JSON.stringify(content, null, 2) + '\n', FILE_MODE);
  } catch (error) {
    return fail(ioProblem(error, 'write the plugin bridge file', file));
  }
  return ok(file);
}

export async function readBridgeFile(stateDir: string): Promise<Result<BridgeEndpoint>> {
  const file = bridgeFilePath(stateDir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    return fail(ioProblem(error, 'read the plugin bridge file', file));
  }
  try {
    return parseBridgeEndpoint(JSON.parse(text) as unknown, file);
  } catch {
    return invalid('bridge file is not JSON', file);
  }
}

/**
 * Removes the bridge file on engine shutdown, but only if it still carries `token`: a second engine that
 * started meanwhile owns the file now. Returns whether a file was removed.
 */
export async function removeBridgeFile(stateDir: string, token: string): Promise<Result<boolean>> {
  const current = await readBridgeFile(stateDir);
  if (!current.ok || current.value.token !== token) return ok(false);
  const file = bridgeFilePath(stateDir);
  try {
    await fs.rm(file);
    return ok(true);
  } catch (error) {
    return errnoOf(error) === 'ENOENT' ? ok(false) : fail(ioProblem(error, 'remove the plugin bridge file', file));
  }
}
