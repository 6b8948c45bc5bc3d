// Bytes of .operator.conf to text, refusing anything that is not text: a NUL
// byte or invalid UTF-8 means we would not be able to write it back unchanged.
export type Decoded = { text: string; problem: null } | { text: null; problem: string };

export function decodeConf(bytes: Uint8Array): Decoded {
  if (bytes.includes(0)) return { text: null, problem: 'contains NUL bytes: it is not a text file' };
  try {
    // ignoreBOM keeps a BOM in the text, so it is written back as it was.
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes), problem: null };
  } catch {
    return { text: null, problem: 'is not valid UTF-8 text' };
  }
}
