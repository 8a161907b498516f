import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { withPublic } from '@/lib/api/handler';
import { mcpCaller } from '@/lib/mcp/http-auth';
import { createWarrenMcpServer } from '@/lib/mcp/server';

export const dynamic = 'force-dynamic';

/**
 * MCP over Streamable HTTP, stateless: every request gets its own server and transport (no
 * session to keep, so any console behind a load balancer can answer it), authenticated with the
 * caller's API key, whose rights the tools then have (lib/mcp/http-auth.ts).
 */
async function handle(req: Request): Promise<Response> {
  const conn = await mcpCaller(req);
  const server = createWarrenMcpServer(conn);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(req);
  } finally {
    void server.close();
  }
}

export const POST = withPublic(async ({ req }) => handle(req));
export const GET = withPublic(async ({ req }) => handle(req));
export const DELETE = withPublic(async ({ req }) => handle(req));
