// Writes bench/results/distributed-floor.{json,md} from bench/distributed-floor.ts's rounds:
// the median of each figure per variant, ergate's ratio to bare BullMQ, the goals
// (commands per job <= 1.5x bare BullMQ's, coordinator CPU <= 1 ms per job) marked met or
// MISSED, and the commands per job of each Redis command side by side.
import fs from 'node:fs';
import path from 'node:path';
import { median } from './stats.ts';

export type Variant = 'ergate' | 'bare BullMQ' | 'ergate on a cluster';

export interface Measured {
  variant: Variant;
  round: number;
  jobs: number;
  wallMsPerJob: number;
  commandsPerJob: number;
  coordinatorCpuMsPerJob: number;
  redisCpuMsPerJob: number;
  redisBytesPerJob: number;
  load: string;
  /** calls per job of each command */
  perCommand: Record<string, number>;
}

const FIGURES = [
  ['commandsPerJob', 'Redis commands per job', 1],
  ['wallMsPerJob', 'wall ms per job', 2],
  ['coordinatorCpuMsPerJob', 'coordinator CPU ms per job', 3],
  ['redisCpuMsPerJob', 'Redis CPU ms per job', 3],
  ['redisBytesPerJob', 'Redis bytes per finished job', 0],
] as const;

function medianOf(results: Measured[], variant: Variant, key: (typeof FIGURES)[number][0]): number {
  return median(results.filter((r) => r.variant === variant).map((r) => r[key])) ?? NaN;
}

export function writeFloorReport(dir: string, machine: string, results: Measured[]): void {
  const date = new Date().toISOString();
  fs.writeFileSync(
    path.join(dir, 'distributed-floor.json'),
    `${JSON.stringify({ machine, date, results }, null, 2)}\n`,
  );
  const ours = (key: (typeof FIGURES)[number][0]): number => medianOf(results, 'ergate', key);
  const bare = (key: (typeof FIGURES)[number][0]): number => medianOf(results, 'bare BullMQ', key);
  const onCluster = results.some((r) => r.variant === 'ergate on a cluster');
  const cluster = (key: (typeof FIGURES)[number][0], digits: number): string =>
    onCluster ? ` ${medianOf(results, 'ergate on a cluster', key).toFixed(digits)} |` : '';
  const rows = FIGURES.map(
    ([key, label, digits]) =>
      `| ${label} | ${ours(key).toFixed(digits)} | ${bare(key).toFixed(digits)} | ${(ours(key) / bare(key)).toFixed(2)}× |${cluster(key, digits)}`,
  );
  const commandRatio = ours('commandsPerJob') / bare('commandsPerJob');
  const cpu = ours('coordinatorCpuMsPerJob');
  const names = [...new Set(results.flatMap((r) => Object.keys(r.perCommand)))];
  const perCommand = (variant: Variant, name: string): number =>
    median(results.filter((r) => r.variant === variant).map((r) => r.perCommand[name] ?? 0)) ?? 0;
  const commandRows = names
    .map((name) => ({ name, ours: perCommand('ergate', name), bare: perCommand('bare BullMQ', name) }))
    .sort((a, b) => b.ours - b.bare - (a.ours - a.bare))
    .map((c) => `| ${c.name} | ${c.ours.toFixed(2)} | ${c.bare.toFixed(2)} | ${(c.ours - c.bare).toFixed(2)} |`);
  const rounds = results.map(
    (r) =>
      `| ${r.round} | ${r.variant} | ${r.jobs} | ${r.commandsPerJob.toFixed(1)} | ${r.wallMsPerJob.toFixed(2)} | ${r.coordinatorCpuMsPerJob.toFixed(3)} | ${r.redisCpuMsPerJob.toFixed(3)} | ${Math.round(r.redisBytesPerJob)} | ${r.load} |`,
  );
  fs.writeFileSync(
    path.join(dir, 'distributed-floor.md'),
    `# Distributed cost against bare BullMQ (\`bench/distributed-floor.ts\`)

${machine}. Measured ${date}; load average (1, 5, 15 min) at each round's start -> end below.

${results[0]?.jobs ?? 0} trivial jobs, one loopback redis-server, two workers each way. ergate: a
ParallelRunner with \`backend: { redis }\` in the bench process, two \`ergate worker -j 2
--start-method forkserver\`, each job a \`print('ok')\` script. Bare BullMQ: \`addBulk\` of 500,
the same job options (attempts 1, removeOnComplete/removeOnFail age 86,400 s), a QueueEvents
counting completions, two workers of concurrency 2 with a no-op processor.${onCluster ? " On the cluster: commands and memory summed over its nodes, Redis CPU of the busiest node (the one holding the queue's slot)." : ''} Medians of
${new Set(results.map((r) => r.round)).size} round(s).

| per job | ergate | bare BullMQ | ergate / bare |${onCluster ? ' ergate on a 3-master cluster |' : ''}
| --- | --- | --- | --- |${onCluster ? ' --- |' : ''}
${rows.join('\n')}

Goals: commands per job <= 1.5× bare BullMQ's: ${commandRatio.toFixed(2)}× (${commandRatio <= 1.5 ? 'met' : 'MISSED'});
coordinator CPU <= 1 ms per job: ${cpu.toFixed(3)} ms (${cpu <= 1 ? 'met' : 'MISSED'}).

## Commands per job, by command (medians; most added by ergate first)

| command | ergate | bare BullMQ | added by ergate |
| --- | --- | --- | --- |
${commandRows.join('\n')}

## Rounds

| round | variant | jobs | commands/job | wall ms/job | coordinator CPU ms/job | Redis CPU ms/job | Redis bytes/job | load |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rounds.join('\n')}
`,
  );
}
