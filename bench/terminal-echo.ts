/**
 * Terminal echo: a keystroke sent over the console's terminal WebSocket until its echo comes
 * back (browser → console relay → runner → agent PTY → bash → and back), on loopback.
 * Usage: npx tsx bench/terminal-echo.ts [N=200]   (needs a production build, like the API benches)
 */
import WebSocket from 'ws';
import { startApi } from './api-harness';
import { report } from './stats';

const N = Number(process.argv[2] ?? 200);
const api = await startApi();
try {
  const c = await api.call('POST', '/api/v1/sandboxes', {});
  if (c.status !== 201) throw new Error(`create: ${c.status} ${JSON.stringify(c.json)}`);
  const t = await api.call('POST', `/api/v1/sandboxes/${c.json.id}/terminal/ticket`, { cols: 200, rows: 50 });
  if (t.status !== 200) throw new Error(`ticket: ${t.status} ${JSON.stringify(t.json)}`);
  const ws = new WebSocket(`${api.base.replace('http', 'ws')}${t.json.url}`, { perMessageDeflate: false });
  let received = '';
  let waiter: (() => void) | undefined;
  ws.on('message', (d, binary) => {
    if (!binary) return;
    received += d.toString();
    waiter?.();
  });
  await new Promise((r) => ws.once('open', r));
  await new Promise((r) => setTimeout(r, 1000)); // let bash print its prompt
  const samples: number[] = [];
  for (let i = 0; i < N + 10; i++) {
    const ch = String.fromCharCode(97 + (i % 26));
    received = '';
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      waiter = () => received.includes(ch) && resolve();
      ws.send(Buffer.from(ch));
    });
    if (i >= 10) samples.push(performance.now() - t0); // the first few warm the path up
    if (i % 50 === 49) ws.send(Buffer.from('\u0015')); // Ctrl-U keeps the line short
  }
  console.log(report('terminal keystroke → echo over the console WebSocket', samples));
  ws.close();
  await api.call('DELETE', `/api/v1/sandboxes/${c.json.id}`);
} finally {
  await api.close();
}
