/**
 * Warren's TypeScript SDK. Quick start:
 *
 *   const sandbox = await Sandbox.create();
 *   const r = await sandbox.commands.run('python3 -c "print(6*7)"');
 */
export { Sandbox, type CreateOptions, type ListOptions, type SandboxOptions } from './sandbox.ts';
export { CommandHandle, Commands, type BackgroundOptions, type CommandResult, type KillSignal, type RunOptions } from './commands.ts';
export { Files, type WriteData } from './files.ts';
export { Pty, PtyHandle, type PtyOptions } from './pty.ts';
export { ApiClient, type CallOptions } from './http.ts';
export type { ConnectionOptions, WebSocketCtor } from './config.ts';
export * from './errors.ts';
export type * from './types.ts';
export type { paths } from './generated/api.ts';
