import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AppError, conflict, notFound } from '@/lib/errors';
import { createRunnerClient, type RunnerClient } from '@/lib/runner-client';
import { AgentClient } from '@/runner/agent/client';
import { createRunnerServer, type RunnerServer } from '@/runner/api/server';
import type { CreateSandboxInput, SandboxInfo, SandboxManager, SnapshotInfo } from '@/runner/sandbox/types';

/**
 * A test-only SandboxManager: each "sandbox" is a real `warren-agent serve` process on the host
 * (no container), so the API layer is exercised end to end with the real agent protocol while
 * the runtime core is tested elsewhere. Its ports live in the host's own network namespace.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const AGENT = path.join(ROOT, 'runner', 'native', 'build', 'warren-agent');

class FakeManager implements SandboxManager {
  readonly sandboxes = new Map<string, SandboxInfo>();
  readonly agents = new Map<string, ChildProcess>();
  touches = 0;
  private n = 0;

  constructor(readonly base: string) {}

  private must(id: string) {
    const sb = this.sandboxes.get(id);
    if (!sb) throw notFound(`Sandbox ${id}`);
    return sb;
  }

  events() {
    return { journalId: 'fake', events: [], lastSeq: 0 };
  }

  /** Env secrets held in memory, as the real runner holds them in its tmpfs store. */
  readonly secretValues = new Map<string, Record<string, string>>();
  secretEnv(id: string) {
    return this.secretValues.get(id) ?? {};
  }

  updateEgressSecrets(id: string): SandboxInfo {
    return this.must(id);
  }

  agentDir(id: string) {
    return path.join(this.base, id);
  }

  stateDir(id: string) {
    return path.join(this.base, `${id}-state`);
  }

  private async launch(id: string) {
    const sock = path.join(this.agentDir(id), 'agent.sock');
    // Own process group, so stopping the fake sandbox ends its handlers and commands too.
    const child = spawn(AGENT, ['serve', '--socket', sock], { stdio: 'ignore', detached: true });
    this.agents.set(id, child);
    for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
  }

  async create(input: CreateSandboxInput): Promise<SandboxInfo> {
    const id = input.id ?? `sb${++this.n}`;
    if (this.sandboxes.has(id)) throw conflict(`Sandbox ${id} exists`);
    fs.mkdirSync(this.agentDir(id), { recursive: true, mode: 0o700 });
    if (input.secrets?.env) this.secretValues.set(id, input.secrets.env);
    const now = new Date().toISOString();
    const info: SandboxInfo = {
      id,
      state: 'running',
      reason: null,
      template: input.template ?? 'default',
      // Recorded like the real runner does: a `gvisor` fake sandbox's ports are then reached
      // through its agent's DIAL (the path of real gVisor sandboxes), a `container` one's by nsenter.
      ...(input.isolation ? { isolation: input.isolation } : {}),
      snapshotId: null,
      resources: { cpu: 1, memoryMb: 512, diskMb: 1024, ...input.resources },
      network: input.network ?? { mode: 'none' },
      env: input.env ?? {},
      secrets: { env: Object.keys(input.secrets?.env ?? {}), egress: [] },
      metadata: input.metadata ?? {},
      createdAt: now,
      startedAt: now,
      stoppedAt: null,
      expiresAt: null,
      timeoutSec: input.timeoutSec ?? 0,
      idleTimeoutSec: input.idleTimeoutSec ?? 0,
      lastActivityAt: now,
    };
    this.sandboxes.set(id, info);
    await this.launch(id);
    return info;
  }
  list() {
    return [...this.sandboxes.values()];
  }
  get(id: string) {
    return this.must(id);
  }
  async start(id: string) {
    const sb = this.must(id);
    if (sb.state !== 'running') await this.launch(id);
    sb.state = 'running';
    return sb;
  }
  async stop(id: string) {
    const sb = this.must(id);
    this.kill(id);
    sb.state = 'stopped';
    return sb;
  }
  async pause(id: string) {
    const sb = this.must(id);
    sb.state = 'paused';
    return sb;
  }
  async resume(id: string) {
    const sb = this.must(id);
    sb.state = 'running';
    return sb;
  }
  async delete(id: string) {
    await this.stop(id);
    this.sandboxes.delete(id);
  }
  setTimeout(id: string, timeoutSec: number) {
    const sb = this.must(id);
    sb.timeoutSec = timeoutSec;
    return sb;
  }
  touch(id: string) {
    this.must(id);
    this.touches++;
  }
  agent(id: string) {
    const sb = this.must(id);
    if (sb.state !== 'running') throw conflict(`Sandbox ${id} is ${sb.state}`);
    return AgentClient.forSocket(path.join(this.agentDir(id), 'agent.sock'));
  }
  async filesAgent(id: string) {
    const sb = this.must(id);
    // A stopped fake sandbox has no agent; a one-shot host agent stands in, as the core does.
    const agent = sb.state === 'running' ? this.agent(id) : AgentClient.forOnce(AGENT, '/');
    return { agent, release: async () => {} };
  }
  netnsPath(id: string) {
    this.must(id);
    return '/proc/self/ns/net';
  }
  async metrics(id: string) {
    this.must(id);
    return { cpuSeconds: 0.5, memoryBytes: 1024, diskBytes: 2048, pids: 3 };
  }
  capacity() {
    const running = this.list().filter((s) => s.state === 'running').length;
    return {
      sandboxes: this.sandboxes.size,
      running,
      maxSandboxes: 10,
      cpuCommitted: running,
      cpuTotal: os.cpus().length,
      memoryMbCommitted: 512 * running,
      memoryMbTotal: 4096,
      diskMbCommitted: 0,
      poolReady: 0,
      isolation: { container: { available: true }, gvisor: { available: false, reason: 'not in this fixture' } },
    };
  }
  async createSnapshot(): Promise<SnapshotInfo> {
    throw new AppError('bad_request', 'snapshots are not faked');
  }
  listSnapshots() {
    return [];
  }
  getSnapshot(id: string): SnapshotInfo {
    throw notFound(`Snapshot ${id}`);
  }
  async deleteSnapshot(id: string) {
    throw notFound(`Snapshot ${id}`);
  }
  async snapshotFilesAgent(id: string): Promise<{ agent: AgentClient; release: () => Promise<void> }> {
    throw notFound(`Snapshot ${id}`);
  }
  private kill(id: string) {
    // Detached shells and jobs run in their own process groups: end them by their sockets' pids.
    const procs = path.join(this.agentDir(id), 'procs');
    for (const name of fs.existsSync(procs) ? fs.readdirSync(procs) : []) {
      const pid = Number(/^(\d+)\.sock$/.exec(name)?.[1]);
      if (pid) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {}
      }
    }
    const child = this.agents.get(id);
    if (child?.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  }
  shutdown() {
    for (const id of this.agents.keys()) this.kill(id);
  }
}

export type ApiFixture = {
  client: RunnerClient;
  manager: FakeManager;
  server: RunnerServer;
  socket: string;
  token: string;
  /** A host dir the sandbox user (uid 1000) may write to. */
  work: string;
  /** A new server (as after a runner restart) over the same sandboxes and socket. */
  restart(): Promise<void>;
  close(): Promise<void>;
};

export async function startApi(opts: { ptyGraceMs?: number; maxUploadBytes?: number } = {}): Promise<ApiFixture> {
  execFileSync('make', ['-s', '-C', path.join(ROOT, 'runner', 'native')], { stdio: 'inherit' });
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-api-test-'));
  const work = path.join(base, 'work');
  fs.mkdirSync(work, { mode: 0o777 });
  fs.chmodSync(work, 0o777);
  fs.chmodSync(base, 0o755);
  const manager = new FakeManager(path.join(base, 'agents'));
  const token = 'api-test-token-0123456789';
  const log = pino({ level: process.env.WARREN_TEST_RUNNER_LOG ?? 'silent' });
  const socket = path.join(base, 'runner.sock');
  const listen = async () => {
    const server = createRunnerServer({ manager, token, log, ...opts });
    await new Promise<void>((r) => server.listen(socket, r));
    return server;
  };
  const stop = async (server: RunnerServer) => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  const client = createRunnerClient({ url: `unix:${socket}`, token });
  const fixture: ApiFixture = {
    client,
    manager,
    server: await listen(),
    socket,
    token,
    work,
    restart: async () => {
      await stop(fixture.server);
      fixture.server = await listen();
    },
    close: async () => {
      await stop(fixture.server);
      manager.shutdown();
      // Agents of the fake sandboxes may still be removing their sockets as they exit: retry.
      fs.rmSync(base, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
  return fixture;
}

/** A loopback TCP listener's port, for the tunnel tests. */
export function portOf(addr: AddressInfo | string | null): number {
  return typeof addr === 'object' && addr ? addr.port : 0;
}
