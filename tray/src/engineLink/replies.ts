/**
 * Answers a permission from the tray through the engine's REST API (the engine forwards it to the OpenCode
 * instance that asked, logs it, and rate-limits it). Errors are data: the tray shows them, it never throws.
 */
import type { Result } from '../../../shared/src/index.js';

export type PermissionReplyKind = 'once' | 'always' | 'reject';

interface Envelope {
  readonly success: boolean;
  readonly error?: { readonly code?: string; readonly message?: string };
}

export async function replyPermission(
  engineUrl: string,
  token: string,
  permissionId: string,
  reply: PermissionReplyKind,
  fetchImpl: typeof fetch = fetch,
): Promise<Result<true>> {
  const url = new URL(`/api/permissions/${encodeURIComponent(permissionId)}/reply`, engineUrl);
  try {
    const res = await fetchImpl(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reply }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => ({ success: false }))) as Envelope;
    if (res.ok && body.success) return { ok: true, value: true };
    return { ok: false, problem: { code: 'live.http-status', message: body.error?.message ?? `the engine answered ${res.status}`, detail: { status: res.status } } };
  } catch (error) {
    return { ok: false, problem: { code: 'live.unreachable', message: `the engine did not answer: ${(error as Error).message}` } };
  }
}
