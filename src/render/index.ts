export { renderCompose, generatedBy, header } from './render.js';
export type { RenderInput, RenderedFile } from './render.js';
