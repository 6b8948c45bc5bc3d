// Preloaded into the built CLI by pty tests (NODE_OPTIONS=--import=this file):
// holds the loading of the wizard's Ink chunk (dist/chunks/app-*.js) until the
// file KG_TEST_INK_GATE names exists, so that a test sees what is on screen
// while Ink has not loaded, however fast the machine. Node's own module hooks,
// nothing of kg-init's: production code reads no test hook.
import { register } from 'node:module';

const hooks = `
import { existsSync } from 'node:fs';
export async function load(url, context, next) {
  const gate = process.env.KG_TEST_INK_GATE;
  if (gate && /\\/dist\\/chunks\\/app-[^/]*\\.js$/.test(url)) {
    while (!existsSync(gate)) await new Promise((r) => setTimeout(r, 10));
  }
  return next(url, context);
}
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
