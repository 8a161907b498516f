import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '@/sdk/src/index';
import { CLI } from './helpers/cli';
import { agentEnv, sandboxes } from './helpers/warren';

const pool = sandboxes();
let sb: Sandbox;
beforeAll(async () => {
  sb = await pool.create();
});
afterAll(() => pool.cleanup());

type Step = { send: string } | { expect: string; timeout?: number } | { resize: [number, number] } | { close: true } | { wait: number };

/** `warren sandbox shell` in a real pseudo-terminal (python3's pty module), typed at like a person. */
function drive(steps: Step[], args: string[]): Promise<{ ok: boolean; failed_step: number | null; output: string; exit_code: number }> {
  const driver = path.join(import.meta.dirname, 'helpers', 'drive-pty.py');
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [driver, JSON.stringify(steps), '--', process.execPath, ...CLI, ...args], { env: agentEnv() as NodeJS.ProcessEnv });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', () => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`driver failed: ${err}${out}`));
      }
    });
  });
}

describe('warren sandbox shell (through a real PTY)', () => {
  it('is interactive, raw (Ctrl-C reaches the remote shell), follows resizes, and exits with the shell’s code', async () => {
    const r = await drive(
      [
        { expect: 'user@|\\$ ' },
        { send: 'stty size; echo marker-$((6*7))\r' },
        { expect: '24 80\\s+marker-42' },
        { resize: [30, 100] },
        { send: 'stty size\r' },
        { expect: '30 100' },
        // In raw mode Ctrl-C is a byte for the sandbox: it interrupts `sleep` there, not the CLI here.
        { send: 'echo zz-$((3*3)); sleep 30; echo slept\r' },
        { expect: 'zz-9' },
        { wait: 0.5 },
        { send: '\x03' },
        { send: 'echo after-$((1+1))\r' },
        { expect: 'after-2' },
        { send: 'exit 7\r' },
      ],
      ['sandbox', 'shell', sb.id],
    );
    expect(r.failed_step, r.output).toBeNull();
    expect(r.output).not.toMatch(/\nslept\r?\n/); // sleep was interrupted, so the echo after it never ran
    expect(r.exit_code).toBe(7);
  });

  it('a shell outlives a closed terminal window; --session re-joins it with its state', async () => {
    const first = await drive(
      [{ expect: '\\$ ' }, { send: 'cd /tmp && export KEPT=yes && echo ready-$((2*3))\r' }, { expect: 'ready-6' }, { close: true }],
      ['sandbox', 'shell', sb.id],
    );
    expect(first.failed_step).toBeNull();
    const sessionId = /session (pty_[A-Za-z0-9_-]+)/.exec(first.output)?.[1];
    expect(sessionId).toBeTruthy();
    const again = await drive(
      [{ send: 'echo kept-$KEPT in $(pwd)\r' }, { expect: 'kept-yes in /tmp' }, { send: 'exit\r' }],
      ['sandbox', 'shell', sb.id, '--session', sessionId!],
    );
    expect(again.failed_step, again.output).toBeNull();
    expect(again.output).toContain('ready-6'); // the recent output replays on re-join
    expect(again.exit_code).toBe(0);
  });
});
