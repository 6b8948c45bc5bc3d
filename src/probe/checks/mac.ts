// macOS: the chip (sysctl) and the release (sw_vers).
import type { Facts } from '../facts.js';
import { isAppleSilicon, parseMacChip, parseMacVersion } from '../mac.js';
import type { Check } from './types.js';

export const macCheck: Check<Facts['mac']> = {
  id: 'mac',
  label: 'Mac hardware',
  applies: (ctx) => ctx.darwin,
  absent: null,
  async gather(ctx) {
    const [chip, ver] = await Promise.all([ctx.run('sysctl', ['-n', 'machdep.cpu.brand_string']), ctx.run('sw_vers', ['-productVersion'])]);
    const c = chip.status === 'ok' ? parseMacChip(chip.stdout) : null;
    return { appleSilicon: isAppleSilicon(ctx.host.arch, c), chip: c, version: ver.status === 'ok' ? parseMacVersion(ver.stdout) : null };
  },
  judge: (m) => ({ state: 'ok', detail: `${m?.chip ?? (m?.appleSilicon ? 'Apple Silicon' : 'Intel Mac')}${m?.version ? ` · macOS ${m.version}` : ''}` }),
};
