import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { ConnectionOptions } from '@/sdk/src/index';
import { createWarrenMcpServer } from './server';

/** `warren mcp`: the tools over stdin/stdout (JSON-RPC lines); logs only ever go to stderr. */
export async function serveStdio(conn: ConnectionOptions): Promise<void> {
  const server = createWarrenMcpServer(conn);
  const transport = new StdioServerTransport();
  transport.onclose = () => process.exit(0);
  process.stdin.on('end', () => process.exit(0));
  await server.connect(transport);
}
