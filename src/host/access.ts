// Whether a user may open a node read-write, decided from its metadata the way
// the kernel's DAC check does: owner bits if the user owns it, else group bits
// if any of the user's groups owns it, else the other bits. uid 0 has
// CAP_DAC_OVERRIDE and may open any device node.
import type { Identity, NodeInfo } from './types.js';

export function canReadWrite(node: NodeInfo, who: Identity): boolean {
  if (who.uid === 0) return true;
  let bits: number;
  if (node.uid === who.uid) bits = (node.mode >> 6) & 7;
  else if (node.gid === who.gid || who.groups.includes(node.gid)) bits = (node.mode >> 3) & 7;
  else bits = node.mode & 7;
  return (bits & 6) === 6;
}
