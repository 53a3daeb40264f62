// Loads a page in Debian's headless chromium (no puppeteer, no browser download) for the HTML
// report's test and benchmark: the DOM after the page's scripts ran (--dump-dom), the console
// lines chromium logged (--enable-logging=stderr), optionally a screenshot. Chromium runs in a
// process group of its own with a fresh profile folder; when it is done the group is killed
// and every process that used the profile is proven gone, by pid.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';

export interface ChromiumRun {
  /** the serialised DOM once the page loaded and its scripts ran */
  dom: string;
  /** messages the page logged (console.*, uncaught errors, refused loads) */
  consoleLines: string[];
  /** chromium's own pid (its process group's id) */
  pid: number;
  /** pids that used this run's profile while it ran: every chromium process of the run */
  pids: number[];
  ms: number;
}

export interface ChromiumOptions {
  screenshot?: string;
  width?: number;
  height?: number;
  timeoutMs?: number;
}

export async function loadInChromium(file: string, options: ChromiumOptions = {}): Promise<ChromiumRun> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'ergate-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-extensions',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    '--enable-logging=stderr',
    '--v=0',
    `--window-size=${options.width ?? 1400},${options.height ?? 1800}`,
    ...(options.screenshot ? [`--screenshot=${options.screenshot}`] : []),
    '--dump-dom',
    pathToFileURL(file).href,
  ];
  const began = performance.now();
  const child = spawn(CHROMIUM, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid!;
  const pids = new Set<number>([pid]);
  // Every 50 ms, note each process using the profile (renderer, zygote, GPU helpers).
  const census = setInterval(() => processesUsing(profile).forEach((p) => pids.add(p)), 50);
  let dom = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (dom += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => killGroup(pid), options.timeoutMs ?? 90_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`chromium exited with ${code}: ${stderr.slice(-2000)}`);
  } finally {
    clearTimeout(timer);
    clearInterval(census);
    killGroup(pid);
    rmSync(profile, { recursive: true, force: true });
  }
  const consoleLines = stderr.split('\n').filter((line) => line.includes(':CONSOLE'));
  return { dom, consoleLines, pid, pids: [...pids], ms: performance.now() - began };
}

/** SIGKILL to chromium's whole group (whatever is left of it). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone
  }
}

/** pids whose command line names `profile`. */
function processesUsing(profile: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(profile)) found.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return found;
}
