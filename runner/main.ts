/**
 * The Warren runner: one per host, as root. Owns this host's sandboxes through an OCI
 * runtime and serves the runner API (HTTP + WebSocket, bearer token) on a unix socket or a
 * loopback port. Stopping the runner never stops sandboxes: on the next start it adopts them.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createRunnerServer } from './api/server';
import { loadRunnerConfig } from './env';
import { closeGracefully } from '@/lib/net/graceful-close';
import { DataDirLockedError, LOCKED_EXIT_CODE, lockDataDir } from './runtime/data-dir-lock';
import { findBinary, preflight } from './runtime/preflight';
import { OciRuntime } from './runtime/runc';
import { GvisorRuntime, probeGvisor } from './runtime/gvisor';
import { loadEgressTestMode } from './runtime/egress-test-mode';
import { armedFaultPoint } from './sandbox/fault-point';
import { LocalSandboxManager } from './sandbox/local-manager';
import { NATIVE_DIR } from './paths';

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main() {
  const cfg = loadRunnerConfig();
  const log = pino({ level: cfg.logLevel, base: { component: 'runner' }, timestamp: pino.stdTimeFunctions.isoTime });

  const problems = preflight({ runtime: cfg.runtime, nativeDir: NATIVE_DIR });
  if (problems.length) {
    // One machine-readable line the console shows as-is, then exit: nothing half-works.
    console.error(`WARREN_RUNNER_PREFLIGHT ${JSON.stringify(problems)}`);
    for (const p of problems) log.error({ fix: p.fix }, p.what);
    process.exit(3);
  }

  // Test-only egress upstreams: refused outright (an exception, exit) without NODE_ENV=test.
  const egressTest = loadEgressTestMode();
  if (egressTest) {
    log.warn({ hosts: [...egressTest.hosts.keys()], ca: Boolean(egressTest.ca) }, 'TEST EGRESS MODE: the egress proxy reaches these names at local addresses and trusts a test CA (WARREN_TEST_EGRESS_*)');
  }
  if (armedFaultPoint()) log.warn({ point: armedFaultPoint() }, 'TEST CRASH POINT ARMED: this runner kills itself there (WARREN_RUNNER_FAULT)');
  fs.mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  // One runner per data dir: a second one would run its own reaper, pool and record writer over
  // the same sandboxes. It refuses with a clear message (the console retries until it is free).
  const lock = await lockDataDir(cfg.dataDir).catch((err) => {
    if (!(err instanceof DataDirLockedError)) throw err;
    console.error(`WARREN_RUNNER_LOCKED ${JSON.stringify({ pid: err.holderPid })}`);
    console.error(err.message);
    process.exit(LOCKED_EXIT_CODE);
  });
  fs.mkdirSync(cfg.runDir, { recursive: true, mode: 0o711 });
  const runtime = new OciRuntime(findBinary(cfg.runtime)!, path.join(cfg.runDir, 'runc'));
  // gVisor is optional: without it the runner runs `container` sandboxes and refuses `gvisor` ones.
  const gvisor = cfg.gvisorRuntime
    ? await probeGvisor(cfg.gvisorRuntime).then(({ binary, support }) => ({ runtime: binary ? new GvisorRuntime(binary, path.join(cfg.runDir, 'runsc')) : null, support }))
    : { runtime: null, support: { available: false as const, reason: 'switched off (WARREN_RUNNER_GVISOR_RUNTIME=off)' } };
  if (!gvisor.support.available) log.warn({ reason: gvisor.support.reason }, 'gVisor isolation unavailable: gvisor sandboxes will be refused');
  const manager = new LocalSandboxManager(
    {
      dirs: { dataDir: cfg.dataDir, runDir: cfg.runDir },
      runtime,
      gvisor,
      nativeDir: NATIVE_DIR,
      poolSize: cfg.poolSize,
      maxSandboxes: cfg.maxSandboxes,
      cpuTotal: cfg.cpuTotal,
      memoryMbTotal: cfg.memoryMbTotal,
      sampleEveryMs: cfg.sampleEveryMs,
      hostNetCheckMs: cfg.hostNetCheckMs,
      storage: cfg.storage,
      insecureRegistries: cfg.insecureRegistries,
      maxLayerBytes: cfg.maxLayerBytes,
    },
    log,
  );
  await manager.init();

  const server = createRunnerServer({ manager, images: manager.images, builds: manager.builds, debian: manager.debian, token: cfg.token, log, maxUploadBytes: cfg.maxUploadBytes, ptyGraceMs: cfg.ptyGraceMs });
  if ('socketPath' in cfg.listen) {
    fs.rmSync(cfg.listen.socketPath, { force: true });
    const socketPath = cfg.listen.socketPath;
    server.listen(socketPath, () => {
      fs.chmodSync(socketPath, 0o600);
      log.info({ listen: `unix:${socketPath}` }, 'runner ready');
    });
  } else {
    const { host, port } = cfg.listen;
    server.listen(port, host, () => log.info({ listen: `${host}:${port}` }, 'runner ready'));
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'runner stopping; sandboxes keep running');
    // Requests in flight finish (within the deadline), then operations holding a sandbox's lock.
    const deadline = setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS + 2000);
    deadline.unref();
    await closeGracefully(server, SHUTDOWN_DEADLINE_MS);
    await manager.shutdown(SHUTDOWN_DEADLINE_MS);
    await lock.release();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // An embedded runner lives exactly as long as its console: the console holds our stdin, and
  // when it dies (even by kill -9) the pipe closes. Sandboxes keep running; the next console
  // starts a runner that adopts them.
  if (cfg.exitWithParent) {
    process.stdin.on('error', () => {});
    process.stdin.on('close', () => void stop('console gone'));
    process.stdin.on('end', () => void stop('console gone'));
    process.stdin.resume();
  }
}

main().catch((err) => {
  console.error(`runner failed to start: ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
});

// A bug in one request must not take down every sandbox's control path: log it and go on.
// (Sandboxes themselves are separate processes and would survive a crash; their sessions would not.)
process.on('uncaughtException', (err) => {
  console.error(JSON.stringify({ level: 50, component: 'runner', msg: 'uncaught exception', err: String(err?.stack ?? err) }));
});
process.on('unhandledRejection', (err) => {
  console.error(JSON.stringify({ level: 50, component: 'runner', msg: 'unhandled rejection', err: String((err as Error)?.stack ?? err) }));
});
