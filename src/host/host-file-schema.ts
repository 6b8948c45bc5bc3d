// host.json of a recorded host (format: test/hosts/README.md) as a zod
// schema: the reference the hand check in ./snapshot.ts (parseHostFile)
// follows, and the source of the message when a snapshot's host.json is
// wrong. Imported only then (openSnapshot), so replaying a good snapshot loads
// no schema library.
import * as z from 'zod/mini';
import '../zod-setup.js';

const octal = z.pipe(
  z.string().check(z.regex(/^0?[0-7]{3,4}$/, 'expected an octal mode such as "0660"')),
  z.transform((s: string) => parseInt(s, 8)),
);

export const hostFileSchema = z.object({
  description: z.optional(z.string()),
  platform: z.enum(['linux', 'darwin', 'win32', 'freebsd', 'openbsd', 'aix', 'sunos', 'android', 'cygwin', 'netbsd', 'haiku']),
  arch: z.string().check(z.minLength(1)),
  kernelRelease: z.string(),
  identity: z.object({
    user: z.string(),
    uid: z.number().check(z.int()),
    gid: z.number().check(z.int()),
    groups: z.array(z.number().check(z.int())),
  }),
  files: z._default(
    z.record(
      z.string().check(z.startsWith('/')),
      z.object({
        type: z.enum(['char', 'block', 'file', 'dir', 'other']),
        mode: octal,
        uid: z.number().check(z.int()),
        gid: z.number().check(z.int()),
      }),
    ),
    {},
  ),
});
export type HostFile = z.input<typeof hostFileSchema>;
export type ParsedHostFile = z.output<typeof hostFileSchema>;
