/**
 * `shared/` compiles against plain ES2022 with no DOM and no Node types, so it cannot see platform globals.
 * TextEncoder/TextDecoder are the one exception we allow: every runtime we target (Node ≥ 20, browsers,
 * Electron) provides them with identical behaviour, and the wire codec needs UTF-8.
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
