// Replaced at build time by scripts/build.mjs; vitest defines it too.
declare const __KG_INIT_VERSION__: string;
/** Whether this build holds the other commands (probe, doctor, --yes): true in dist/cli.cjs (and vitest), false in dist/cli.js. */
declare const __KG_INIT_COMMANDS__: boolean;

declare module '*?raw' {
  const text: string;
  export default text;
}
/** Every compose template rendered with sentinels and parsed, as JSON text, by the build (src/render/docs.ts); vitest sets it in test/setup/env.ts. */
declare const __KG_TEMPLATE_DOCS_JSON__: string | undefined;
