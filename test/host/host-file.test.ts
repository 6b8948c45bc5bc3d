// host.json is checked by hand on the replay path (no schema library loaded);
// the hand check must agree with the zod schema, which gives the messages.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseHostFile } from '../../src/host/snapshot.js';
import { hostFileSchema } from '../../src/host/host-file-schema.js';
import { HOSTS } from '../helpers/cli.js';

describe('host.json', () => {
  const hosts = readdirSync(HOSTS).filter((d) => existsSync(join(HOSTS, d, 'host.json')));

  it.each(hosts)('%s: the hand check gives what the schema gives', (name) => {
    const json = JSON.parse(readFileSync(join(HOSTS, name, 'host.json'), 'utf8'));
    expect(parseHostFile(json)).toEqual(hostFileSchema.parse(json));
  });

  it('what the schema refuses, the hand check refuses too', () => {
    const good = JSON.parse(readFileSync(join(HOSTS, hosts[0]!, 'host.json'), 'utf8'));
    const bad = [
      { ...good, platform: 'beos' },
      { ...good, arch: '' },
      { ...good, kernelRelease: 5 },
      { ...good, description: 1 },
      { ...good, identity: { ...good.identity, uid: 1.5 } },
      { ...good, identity: { ...good.identity, groups: ['video'] } },
      { ...good, files: { 'dev/kfd': { type: 'char', mode: '0666', uid: 0, gid: 0 } } },
      { ...good, files: { '/dev/kfd': { type: 'pipe', mode: '0666', uid: 0, gid: 0 } } },
      { ...good, files: { '/dev/kfd': { type: 'char', mode: '0968', uid: 0, gid: 0 } } },
      { ...good, files: { '/dev/kfd': { type: 'char', mode: 438, uid: 0, gid: 0 } } },
      { ...good, files: [] },
      null,
      [],
    ];
    for (const b of bad) {
      expect(hostFileSchema.safeParse(b).success).toBe(false);
      expect(parseHostFile(b)).toBeNull();
    }
    const { files: _f, description: _d, ...bare } = good;
    expect(parseHostFile(bare)).toEqual(hostFileSchema.parse(bare));
  });
});
