/**
 * A small pure 64-bit string hash for stable finding ids: two FNV-1a lanes, one reading the string forwards
 * and one backwards with a different offset basis, so ids stay collision-free in practice without importing
 * node:crypto into this pure module.
 */

const FNV_PRIME = 0x01000193;

export function hash64(text: string): string {
  let forward = 0x811c9dc5;
  let backward = 0x050c5d1f;
  for (let i = 0, j = text.length - 1; i < text.length; i++, j--) {
    forward = Math.imul(forward ^ text.charCodeAt(i), FNV_PRIME);
    backward = Math.imul(backward ^ text.charCodeAt(j), FNV_PRIME);
  }
  return hex8(forward) + hex8(backward);
}

function hex8(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
