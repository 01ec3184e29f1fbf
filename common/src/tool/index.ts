export { runTool, runToolJson } from './run-tool.js';
export type { RunToolOptions, ToolResult } from './run-tool.js';
