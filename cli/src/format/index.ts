export { Template, renderTemplate } from './template.js';
export { parseTemplate } from './template-parse.js';
export type { TemplateNode, BlockNode, Pipe, Operand } from './template-parse.js';
export { templateFuncs, truthy, goSprintf, indexValue } from './template-funcs.js';
export type { TemplateFunc } from './template-funcs.js';
export { goPrint, goNumber, goJson, formatG } from './go-value.js';
export { humanDuration, humanAgo, humanSize, binarySize, ellipsis, shortId } from './human.js';
export { tabwrite, formatMode, renderList } from './table.js';
export type { FormatMode } from './table.js';
export {
  CONTAINER_HEADERS, PS_TABLE, IMAGE_HEADERS, IMAGES_TABLE, IMAGES_DIGEST_TABLE, HISTORY_HEADERS, HISTORY_TABLE,
  NETWORK_HEADERS, NETWORK_TABLE, VOLUME_HEADERS, VOLUME_TABLE, volumeContext, containerContext, imageContexts, historyContext, networkContext, displayablePorts,
  splitRepoTag, goTimeString, rfc3339,
} from './contexts.js';
export type { ContextOptions, FormatContext } from './contexts.js';
export { JsonMessageRenderer, progressString } from './json-message.js';
export type { JsonMessage } from './json-message.js';
