export { renderCompose, renderFile, composeFilesFor, generatedBy, header, GENERATED_MARKER } from './render.js';
export type { RenderInput, RenderedFile } from './render.js';
