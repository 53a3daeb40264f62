// Turns WorkloadResults into files: <name>.json (everything, samples included), <name>.md (one
// table per case, goals marked met or MISSED) and summary.md (the machine once, then every
// table). A missed goal or a variant that could not run is written out, never left off.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatMachine } from './machine.ts';
import { formatNumber } from './stats.ts';
import type { CaseResult, MachineInfo, WorkloadResult } from './types.ts';

function formatRatio(ratio: number | null): string {
  return ratio === null ? '–' : `${ratio.toFixed(2)}×`;
}

function renderCase(result: WorkloadResult, c: CaseResult): string {
  const extraKeys = [...new Set(c.rows.flatMap((r) => Object.keys(r.extra)))];
  const head = [
    'variant',
    `median (${result.unit})`,
    'min – max',
    `vs ${result.reference}`,
    'runs',
    ...extraKeys,
    'status',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`];
  for (const row of c.rows) {
    const cells = [
      row.variant === result.reference ? `${row.variant} (reference)` : row.variant,
      formatNumber(row.median),
      row.min === null ? '–' : `${formatNumber(row.min)} – ${formatNumber(row.max)}`,
      formatRatio(row.ratio),
      String(row.samples.length),
      ...extraKeys.map((k) => formatNumber(row.extra[k] ?? null)),
      row.status === 'ok' ? 'ok' : `${row.status}: ${row.reason ?? ''}`.replaceAll('|', '/').replaceAll('\n', ' '),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const warm = c.warmup > 0 ? `${c.warmup} warm-up round(s), ` : 'no warm-up, ';
  return `**${c.label}** (${warm}${c.runs} counted run(s), variants alternating)\n\n${lines.join('\n')}\n`;
}

/** The markdown section of one workload (heading level 2). */
export function renderWorkload(result: WorkloadResult): string {
  const parts = [`## ${result.title} (\`${result.name}\`)`, `Metric: ${result.metric}, lower is better.`];
  if (result.smoke) parts.push('_Smoke run: tiny sizes, one run. These numbers prove nothing._');
  // Results written by an older harness lack loadAverage.
  const { start, end } = result.loadAverage ?? { start: 0, end: 0 };
  if (Math.max(start, end) > result.machine.cores) {
    parts.push(
      `**The machine was busy** (1-minute load average ${start.toFixed(1)} → ${end.toFixed(1)} on ` +
        `${result.machine.cores} cores): other processes shared the CPU, so these numbers are noisy.`,
    );
  }
  for (const c of result.cases) parts.push(renderCase(result, c));
  for (const goal of result.goals) {
    const verdict = goal.met === null ? 'NOT MEASURED' : goal.met ? 'met' : 'MISSED';
    parts.push(
      `Goal (${goal.case}): ${goal.text}: **${verdict}** (${goal.value !== undefined ? (goal.value ?? '-') : formatRatio(goal.ratio)})`,
    );
  }
  for (const line of result.conclusions) parts.push(`- ${line}`);
  if (result.notes) parts.push(result.notes);
  if (result.unavailable) parts.push(`**Not available here:** ${result.unavailable}`);
  if (result.error) parts.push(`**The workload stopped early:** ${result.error}`);
  return parts.join('\n\n') + '\n';
}

export async function writeWorkloadFiles(dir: string, result: WorkloadResult): Promise<void> {
  await writeFile(path.join(dir, `${result.name}.json`), JSON.stringify(result, null, 2) + '\n');
  const header = `# ${result.title}\n\nMachine: ${formatMachine(result.machine)}\n\n`;
  await writeFile(path.join(dir, `${result.name}.md`), header + renderWorkload(result));
}

export async function writeSummary(dir: string, machine: MachineInfo, results: WorkloadResult[]): Promise<string> {
  const file = path.join(dir, 'summary.md');
  const body = [
    '# ergate benchmarks',
    `Machine: ${formatMachine(machine)}`,
    `Measured ${new Date().toISOString()}. Medians of the counted runs; the ratio is to the reference peer.`,
    ...results.map(renderWorkload),
  ].join('\n\n');
  await writeFile(file, body + '\n');
  return file;
}
