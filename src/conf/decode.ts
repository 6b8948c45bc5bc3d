// Bytes of .operator.conf to text, refusing anything that is not text: a NUL
// byte or invalid UTF-8 means we would not be able to write it back unchanged.
// buffer.isUtf8 validates natively (a 10 MB file in milliseconds); toString
// keeps a BOM in the text, so it is written back as it was.
import { isUtf8 } from 'node:buffer';

export type Decoded = { text: string; problem: null } | { text: null; problem: string };

export function decodeConf(bytes: Uint8Array): Decoded {
  if (bytes.includes(0)) return { text: null, problem: 'contains NUL bytes: it is not a text file' };
  if (!isUtf8(bytes)) return { text: null, problem: 'is not valid UTF-8 text' };
  return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), problem: null };
}
