import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ConnectionOptions } from '@/sdk/src/index';
import { registerWarrenTools } from './tools';

/** One MCP server with Warren's tools, acting with `conn`'s API key. */
export function createWarrenMcpServer(conn: ConnectionOptions): McpServer {
  const server = new McpServer(
    { name: 'warren', version: '0.1.0' },
    { instructions: 'Warren runs code in isolated Linux sandboxes. Create one with create_sandbox, then run commands or code, read and write files, expose ports; delete it when done.' },
  );
  registerWarrenTools(server, conn);
  return server;
}
