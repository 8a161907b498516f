/**
 * `warren <command>` (`npm run warren -- <command>`). Two families share the binary:
 * - for people and scripts with an API key: `login`, `logout`, `sandbox …`, `mcp` (cli/agent/,
 *   over the public API through the TypeScript SDK; they never open the database);
 * - for operators on the console's host: `org`, `apikey`, `admin`, `runner` (cli/operator.ts).
 * Each family is loaded only when asked for, so an agent command starts without the server stack.
 */
const AGENT_COMMANDS = new Set(['login', 'logout', 'sandbox', 'sb', 'mcp']);

const argv = process.argv.slice(2);
if (AGENT_COMMANDS.has(argv[0] ?? '')) {
  const { runAgentCli } = await import('./agent/main');
  const code = await runAgentCli(argv);
  // -1: a server (mcp) that ends when its client does. Otherwise exit now: idle keep-alive
  // connections would hold the process open for seconds (stdout to a pipe is synchronous here).
  if (code >= 0) process.exit(code);
} else {
  await import('./operator');
}

export {};
