// What the distributed benchmarks start: a free loopback port for their redis-server, and
// child processes (redis-server, `ergate worker`) that count as started once a stdout line
// says they are ready.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Spawns a child in the repository and resolves once a stdout line matches `ready` (at once for null). */
export function startChild(
  command: string,
  args: string[],
  ready: RegExp | null,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'ignore'] });
  if (!ready) return Promise.resolve(child);
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (ready.test(text)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready`)));
  });
}

/** Signals every child still running and resolves once each has exited. */
export async function stopChildren(children: ChildProcess[], signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await Promise.all(
    children.map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      return exited;
    }),
  );
}
