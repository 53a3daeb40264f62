// Names the machine a result was measured on (CPU, cores, Node, Python) and picks the single
// interpreter every workload and peer uses: /usr/bin/python3 when present, since `python3` on
// PATH may be a slow version-manager shim that would add its own start-up to every script.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { oursBuild } from './ours.ts';
import type { MachineInfo } from './types.ts';

/** $ERGATE_BENCH_PYTHON, else /usr/bin/python3 when it exists, else python3 from PATH. */
export function pickPython(): string {
  const fromEnv = process.env.ERGATE_BENCH_PYTHON;
  if (fromEnv) return fromEnv;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

function readPythonVersion(python: string): string {
  try {
    return execFileSync(python, ['-c', 'import sys; print(sys.version.split()[0])'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

export function describeMachine(python: string): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() || 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    python,
    pythonVersion: readPythonVersion(python),
    ergateBuild: oursBuild() === 'dist' ? 'compiled dist/' : 'TypeScript sources under tsx',
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** One line for a table header: "2 cores AMD EPYC · Node v20.20.2 · /usr/bin/python3 3.11.2". */
export function formatMachine(machine: MachineInfo): string {
  return (
    `${machine.cores} cores ${machine.cpuModel} · ${machine.memoryGiB} GiB · ${machine.os} · ` +
    `Node ${machine.node} · Python ${machine.pythonVersion} (${machine.python}) · ` +
    `ergate from ${machine.ergateBuild} · ` +
    `load average at start ${machine.loadAverage.join(' / ')}`
  );
}
