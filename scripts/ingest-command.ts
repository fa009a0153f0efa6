// `npm run ingest` (or `npm run metrics`) as package.json defines it, for what runs the CLI as a
// child process (the benches, the CLIs' tests): the same node flags (the heap cap), so they measure
// and test what users run.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type FileCommand = 'ingest' | 'metrics';

/** The node arguments of package.json's "ingest" (or "metrics") script (e.g. the heap cap, tsx, scripts/ingest.ts). */
export function ingestNodeArgs(script: FileCommand = 'ingest'): string[] {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const [cmd, ...args] = (pkg.scripts[script] ?? '').split(/\s+/);
  if (cmd !== 'node' || !args.includes(`scripts/${script}.ts`))
    throw new Error(`unexpected "${script}" script in package.json: ${pkg.scripts[script]}`);
  return args;
}

/** Starts `npm run ingest -- ...args` (without npm) with `env` added to this process's environment. */
export function spawnIngest(
  args: string[],
  env: Record<string, string | undefined> = {},
  script: FileCommand = 'ingest',
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...ingestNodeArgs(script), ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
}

/** Runs the CLI to its end: exit code (1 when killed by a signal), stdout and stderr. */
export function runIngest(
  args: string[],
  env: Record<string, string | undefined> = {},
  script: FileCommand = 'ingest',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnIngest(args, env, script);
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    // 'close', not 'exit': stdout and stderr are read to their end.
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
