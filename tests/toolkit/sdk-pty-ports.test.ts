import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '@/sdk/src/index';
import { getPreview } from './helpers/preview';
import { sandboxes, until } from './helpers/warren';

const pool = sandboxes();
let sb: Sandbox;
beforeAll(async () => {
  sb = await pool.create();
});
afterAll(() => pool.cleanup());

const text = () => {
  const dec = new TextDecoder();
  let out = '';
  return { onData: (d: Uint8Array) => (out += dec.decode(d, { stream: true })), get: () => out };
};

describe('SDK pty', () => {
  it('runs an interactive shell: input, output, resize, exit code', async () => {
    const t = text();
    const pty = await sb.pty.create({ cols: 80, rows: 24, onData: t.onData });
    expect(pty.sessionId).toMatch(/^pty_/);
    pty.sendInput('echo $((6*7))-marker\r');
    await until('echo', () => t.get().includes('42-marker'));
    pty.resize(100, 30);
    pty.sendInput('stty size\r');
    await until('new size', () => t.get().includes('30 100'));
    pty.sendInput('exit 5\r');
    expect(await pty.wait()).toBe(5);
  });

  it('a server started in a terminal keeps serving its preview after the terminal is closed', async () => {
    const t = text();
    const pty = await sb.pty.create({ onData: t.onData });
    pty.sendInput('mkdir -p /tmp/site && cd /tmp/site && echo served-from-pty > index.html && python3 -m http.server 8123\r');
    await until('server listening', () => t.get().includes('Serving HTTP'), 20_000);
    pty.disconnect();
    const port = await sb.ports.expose(8123, { public: true });
    expect(port).toMatchObject({ port: 8123, public: true });
    expect(await sb.getHost(8123)).toBe(new URL(port.url).host);
    await new Promise((r) => setTimeout(r, 1500)); // past any viewer bookkeeping: nobody watches now
    const page = await getPreview(port.url, '/index.html');
    expect(page).toEqual({ status: 200, body: 'served-from-pty\n' });
    // The same shell, re-joined: its recent output replays, and kill ends it.
    const again = text();
    const back = await sb.pty.connect(pty.sessionId, { onData: again.onData });
    await until('replay', () => again.get().includes('Serving HTTP'));
    await back.kill();
    expect((await getPreview(port.url, '/index.html')).status).toBe(502);
  });

  it('getHost exposes a private port when needed; unexpose removes it', async () => {
    const host = await sb.getHost(9001);
    expect(host).toMatch(new RegExp(`^9001-${sb.id}\\.`));
    expect((await sb.ports.list()).find((p) => p.port === 9001)).toMatchObject({ public: false });
    // Private: no session, no token, so the proxy does not serve it to an anonymous request.
    expect((await getPreview(`http://${host}/`)).status).not.toBe(200);
    await sb.ports.unexpose(9001);
    expect((await sb.ports.list()).map((p) => p.port)).not.toContain(9001);
  });
});
