/**
 * The web-platform globals shared code may use: present in Node (>= 16) and in
 * the renderer alike. Declared here, rather than by loading the DOM or Node
 * type libraries, so that shared code which reaches for anything else (a DOM
 * node, `Buffer`, `process`) fails to compile.
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array | ArrayBuffer): string;
}
declare function btoa(data: string): string;
declare function atob(data: string): string;
