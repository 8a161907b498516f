import fs from 'node:fs';

/**
 * Reads a sandbox's usage from its cgroup. The host may have cgroup v1 controllers (with a
 * v2 mount beside them, "hybrid") or a pure v2 hierarchy; both layouts are understood.
 */
const ROOT = '/sys/fs/cgroup';
const isV2 = () => fs.existsSync(`${ROOT}/cgroup.controllers`);

function readNumber(file: string): number {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

function readKeyed(file: string): Record<string, number> {
  try {
    return Object.fromEntries(
      fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' '))
        .map(([k, v]) => [k, Number(v)]),
    );
  } catch {
    return {};
  }
}

export function cgroupUsage(cgroupsPath: string): { cpuSeconds: number; memoryBytes: number; pids: number } {
  if (isV2()) {
    const dir = `${ROOT}${cgroupsPath}`;
    const cpu = readKeyed(`${dir}/cpu.stat`);
    const mem = readNumber(`${dir}/memory.current`);
    const stat = readKeyed(`${dir}/memory.stat`);
    return { cpuSeconds: (cpu.usage_usec ?? 0) / 1e6, memoryBytes: Math.max(0, mem - (stat.inactive_file ?? 0)), pids: readNumber(`${dir}/pids.current`) };
  }
  const mem = readNumber(`${ROOT}/memory${cgroupsPath}/memory.usage_in_bytes`);
  const stat = readKeyed(`${ROOT}/memory${cgroupsPath}/memory.stat`);
  return {
    cpuSeconds: readNumber(`${ROOT}/cpuacct${cgroupsPath}/cpuacct.usage`) / 1e9,
    memoryBytes: Math.max(0, mem - (stat.total_inactive_file ?? 0)),
    pids: readNumber(`${ROOT}/pids${cgroupsPath}/pids.current`),
  };
}

/** CPU time used so far, or null when the cgroup is not there (gone, or never made). */
export function cgroupCpuSeconds(cgroupsPath: string): number | null {
  try {
    if (isV2()) {
      const line = fs.readFileSync(`${ROOT}${cgroupsPath}/cpu.stat`, 'utf8').split('\n').find((l) => l.startsWith('usage_usec '));
      return line ? Number(line.split(' ')[1]) / 1e6 : null;
    }
    return Number(fs.readFileSync(`${ROOT}/cpuacct${cgroupsPath}/cpuacct.usage`, 'utf8').trim()) / 1e9;
  } catch {
    return null;
  }
}

/** Whether the kernel OOM-killed something in the sandbox since it started (v1 and v2). */
export function oomKills(cgroupsPath: string): number {
  if (isV2()) return readKeyed(`${ROOT}${cgroupsPath}/memory.events`).oom_kill ?? 0;
  return readKeyed(`${ROOT}/memory${cgroupsPath}/memory.oom_control`).oom_kill ?? 0;
}

/** Every controller dir a sandbox's cgroup may have left behind (for leak checks). */
/** The cgroup whose freezer stops all of a container's tasks (v2: cgroup.freeze; v1: freezer.state). */
export function freezerDir(cgroupsPath: string): string {
  return isV2() ? `${ROOT}${cgroupsPath}` : `${ROOT}/freezer${cgroupsPath}`;
}

export function cgroupDirs(cgroupsPath: string): string[] {
  if (isV2()) return [`${ROOT}${cgroupsPath}`];
  return fs
    .readdirSync(ROOT)
    .filter((c) => c !== 'unified')
    .map((c) => `${ROOT}/${c}${cgroupsPath}`);
}
