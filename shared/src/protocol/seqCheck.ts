/**
 * The client's side of "no duplicate, no gap": every seq'd message must carry exactly the seq after the last
 * one applied. Pure, so the browser, the Node twin and the tray judge a stream the same way.
 */

/** apply: the next one; duplicate: already applied (drop it); gap: something is missing (resume). */
export type SeqCheck = 'apply' | 'duplicate' | 'gap';

export function nextSeqCheck(lastApplied: number, incoming: number): SeqCheck {
  if (incoming === lastApplied + 1) return 'apply';
  return incoming <= lastApplied ? 'duplicate' : 'gap';
}
