/**
 * Warren's TypeScript SDK. Quick start:
 *
 *   const sandbox = await Sandbox.create();
 *   const r = await sandbox.commands.run('python3 -c "print(6*7)"');
 */
export { Sandbox, type CreateOptions, type ListOptions, type SandboxOptions } from './sandbox.js';
export { CommandHandle, Commands, type BackgroundOptions, type CommandResult, type RunOptions } from './commands.js';
export { Files, type WriteData } from './files.js';
export { Pty, PtyHandle, type PtyOptions } from './pty.js';
export { ApiClient, type CallOptions } from './http.js';
export type { ConnectionOptions, WebSocketCtor } from './config.js';
export * from './errors.js';
export type * from './types.js';
export type { paths } from './generated/api.js';
