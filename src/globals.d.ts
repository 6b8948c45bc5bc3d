// Replaced at build time by scripts/build.mjs; vitest defines it too.
declare const __KG_INIT_VERSION__: string;

declare module '*?raw' {
  const text: string;
  export default text;
}
