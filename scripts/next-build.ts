import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const INPUTS = [
  'app',
  'lib',
  'jobs',
  'public',
  'next.config.ts',
  'proxy.ts',
  'instrumentation-client.ts',
  'package-lock.json',
  'tsconfig.json',
  'postcss.config.mjs',
];
const STAMP = '.next/burnrate-build-stamp';

/** A hash of everything `next build` reads, so a start only rebuilds after the code changed. */
export function sourceStamp(root = process.cwd()): string {
  const hash = createHash('sha256');
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name === 'node_modules' || name.endsWith('.test.ts')) continue;
        visit(path.join(p, name));
      }
    } else {
      hash.update(path.relative(root, p));
      hash.update(readFileSync(p));
    }
  };
  for (const input of INPUTS) visit(path.join(root, input));
  return hash.digest('hex');
}

export function buildIsCurrent(root = process.cwd()): boolean {
  const stamp = path.join(root, STAMP);
  return existsSync(path.join(root, '.next/BUILD_ID')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === sourceStamp(root);
}

/** Runs `next build` (offline, telemetry off) unless the last build is of the same sources. */
export async function ensureNextBuild(log: (line: string) => void, root = process.cwd()): Promise<void> {
  if (buildIsCurrent(root)) return;
  log('building the dashboard (production build; only after the code changed: 2–4 minutes on 2 cores)…');
  const started = Date.now();
  const nextBin = path.join(root, 'node_modules/next/dist/bin/next');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, 'build'], {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code}):\n${output.slice(-4000)}`))));
  });
  writeFileSync(path.join(root, STAMP), sourceStamp(root));
  log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await ensureNextBuild((line) => console.log(line));
}
