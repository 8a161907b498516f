import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '@/runner/agent/client';
import { encodeFrame, encodeTlvs, type Tlv } from '@/runner/agent/protocol';
import { type ServedAgent, serveAgent, sleep } from '@/runner/agent/test-support';

// Malformed and random requests must never take the daemon down or leave processes behind.
let agent: ServedAgent;
beforeAll(async () => {
  agent = await serveAgent();
});
afterAll(async () => {
  await agent?.stop();
});

let seed = 20261123;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => rnd(256)));

function randomRequest(scratch: string): Buffer {
  const kind = rnd(6);
  if (kind === 0) return bytes(rnd(64));
  const types = [0x01, 0x06, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x7f];
  const values: Array<string | Buffer> = [
    `${scratch}/x`,
    scratch,
    '0',
    '1000',
    '99999999999999999999',
    '',
    'abc',
    '80,24',
    '0,0',
    '777',
    'prx',
    'true',
    'sh',
  ];
  const tlvs: Tlv[] = [];
  for (let i = rnd(8); i > 0; i--) tlvs.push([rnd(10), rnd(4) === 0 ? bytes(rnd(20)) : values[rnd(values.length)]]);
  let payload = encodeTlvs(tlvs);
  if (kind === 1 && payload.length) payload = payload.subarray(0, rnd(payload.length)); // truncated TLV
  let frame = encodeFrame(types[rnd(types.length)], payload);
  if (kind === 2) frame.writeUInt32BE(rnd(0x7fffffff), 1); // lying length
  if (kind === 3) frame = Buffer.concat([frame, encodeFrame(rnd(256), bytes(rnd(30)))]);
  if (kind === 4) frame = Buffer.concat([frame, encodeFrame(0x31, bytes(10)), encodeFrame(0x32)]);
  return frame;
}

describe('warren-agent serve: fuzz', () => {
  it('survives 300 random requests', async () => {
    const scratch = `${agent.dir}/scratch`;
    fs.mkdirSync(scratch);
    for (let i = 0; i < 300; i++) {
      await new Promise<void>((resolve) => {
        const c = net.createConnection(agent.socket);
        c.on('error', () => {});
        c.on('data', () => {});
        const t = setTimeout(() => c.destroy(), 500);
        c.on('close', () => {
          clearTimeout(t);
          resolve();
        });
        c.end(randomRequest(scratch));
      });
    }
    expect(agent.proc.exitCode).toBeNull();
    const r = await AgentClient.forSocket(agent.socket).exec({ argv: ['echo', 'ok'], env: { PATH: '/usr/bin:/bin' } });
    expect(r.stdout.toString()).toBe('ok\n');
    await sleep(300);
    const children = fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
          return st.slice(st.lastIndexOf(')') + 2).split(' ')[1] === String(agent.proc.pid);
        } catch {
          return false;
        }
      });
    expect(children).toEqual([]);
  });
});
