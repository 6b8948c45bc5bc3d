// kg-init validates its edges with zod/mini, Zod 4's tree-shakable functional
// API: the bundle keeps only the validators it uses, which costs a headless
// run far less start-up time than the classic chained API. Imported for its
// side effect by every module that defines schemas, it sets zod/mini up the
// way classic zod is set up by default, so users see the same messages:
//  - the English messages ("Too big: expected string to have <=255
//    characters"); zod/mini ships without a locale and says "Invalid input";
//  - no JIT: each schema parses once per run, and compiling a validator with
//    new Function on first use costs more start-up time than it saves.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config({ ...en(), jitless: true });
