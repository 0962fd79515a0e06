import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Copy, DockerfileParser, type Instruction } from 'dockerfile-ast';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, killLeftovers, SERVE_COMMAND } from '../src/testing/serve-child.js';

// No Docker daemon here: the Dockerfile is parsed and checked, and the runtime stage's start command and
// HEALTHCHECK are run as the image runs them (same argv, same ENV, from the package root) on this checkout's build.

const root = join(import.meta.dirname, '..');
const dockerfile = DockerfileParser.parse(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; allowScripts: Record<string, boolean> };

interface Stage {
  name: string | undefined;
  image: string;
  instructions: Instruction[];
}

/** The instructions of each FROM … AS name stage, in order. */
function stages(): Stage[] {
  const result: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const [image, as, name] = instruction.getArguments().map((argument) => argument.getValue());
    if (instruction.getKeyword() === 'FROM') result.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    else result.at(-1)?.instructions.push(instruction);
  }
  return result;
}

const all = stages();
const build = all.find((stage) => stage.name === 'build')!;
const runtime = all.at(-1)!;

function of(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.getKeyword() === keyword);
}
function words(instruction: Instruction): string[] {
  return instruction.getArguments().map((argument) => argument.getValue());
}
/** An exec-form (JSON array) argument list, e.g. ENTRYPOINT ["node", "bin/frugal.mjs"]. */
function execForm(instruction: Instruction, skip = 0): string[] {
  return JSON.parse(words(instruction).slice(skip).join(' ')) as string[];
}
const copies = (stage: Stage) => of(stage, 'COPY').filter((instruction): instruction is Copy => instruction instanceof Copy);
const runs = (stage: Stage) => of(stage, 'RUN').map((instruction) => words(instruction).join(' '));
const runtimeEnv = Object.fromEntries(of(runtime, 'ENV').flatMap(words).map((pair) => pair.split('=', 2) as [string, string]));

describe('Dockerfile', () => {
  it('builds in a stage of its own on the Node the package runs on, the native addon compiled there', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(build).toBeDefined();
    expect(runtime.name).not.toBe('build');
    const engineMajor = /\d+/.exec(packageJson.engines.node)![0];
    for (const stage of all) expect(stage.image).toBe(`node:${engineMajor}-bookworm-slim`);
    expect(runs(build).join('\n')).toMatch(/apt-get install -y --no-install-recommends python3 make g\+\+/);
    expect(runs(build).join('\n')).toContain('npm ci --ignore-scripts');
    // Every package whose install script package.json allows is rebuilt from source; no other script runs.
    for (const [name, allowed] of Object.entries(packageJson.allowScripts)) {
      const rebuilt = runs(build).some((run) => run.includes(`npm_config_build_from_source=true npm_config_nodedir=/usr/local npm rebuild ${name}`));
      expect(rebuilt, `${name} rebuilt in the build stage`).toBe(allowed);
    }
    expect(runs(build).join('\n')).toMatch(/npm run build && npm prune --omit=dev/);
  });

  it('keeps compilers out of the runtime stage, which takes dist/ and production node_modules from the build', () => {
    expect(runs(runtime).join('\n')).not.toMatch(/apt-get|npm (ci|install)|g\+\+|make/);
    const fromBuild = copies(runtime).filter((copy) => copy.getFlags().some((flag) => flag.getName() === 'from' && flag.getValue() === 'build'));
    const copied = fromBuild.map((copy) => words(copy).filter((word) => !word.startsWith('--')).at(-2));
    expect(copied).toEqual(expect.arrayContaining(['/app/node_modules', '/app/dist', '/app/package.json']));
  });

  it('runs as a non-root user, with a data volume, the port it exposes and a HEALTHCHECK on /healthz', () => {
    const user = words(of(runtime, 'USER').at(-1)!)[0];
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(of(runtime, 'EXPOSE').flatMap(words)).toEqual([runtimeEnv.FRUGAL_PORT]);
    expect(execForm(of(runtime, 'VOLUME')[0])).toEqual([runtimeEnv.FRUGAL_DATA_DIR]);
    expect(runtimeEnv.FRUGAL_HOST).toBe('0.0.0.0');
    const healthcheck = of(runtime, 'HEALTHCHECK');
    expect(healthcheck).toHaveLength(1);
    const args = words(healthcheck[0]).filter((word) => !word.startsWith('--'));
    expect(args[0]).toBe('CMD');
    expect(execForm(healthcheck[0], words(healthcheck[0]).indexOf('CMD') + 1)).toEqual(HEALTHCHECK);
    expect(readFileSync(join(root, HEALTHCHECK[1]), 'utf8')).toContain('/healthz');
  });

  it("starts with the command the tests' real servers run: ENTRYPOINT + CMD = node + SERVE_COMMAND", () => {
    expect([...execForm(dockerfile.getENTRYPOINTs()[0] as Instruction), ...execForm(dockerfile.getCMDs()[0] as Instruction)]).toEqual(['node', ...SERVE_COMMAND]);
  });

  it('sends the build context only what it copies (.dockerignore), and each of those exists', () => {
    const ignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').filter((line) => line && !line.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const fromContext = [...copies(build), ...copies(runtime)].filter((copy) => copy.getFlags().length === 0).flatMap((copy) => words(copy).slice(0, -1));
    for (const source of fromContext) {
      expect(existsSync(join(root, source)), source).toBe(true);
      expect(ignore.some((line) => line === `!${source}` || line === `!${source}/`), `${source} is re-included in .dockerignore`).toBe(true);
    }
  });
});

const HEALTHCHECK = ['node', 'deploy/docker/healthcheck.mjs'];

describe('the image start command, run as the image runs it', () => {
  let dataDir: string;
  afterAll(async () => {
    killLeftovers();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  function healthcheck(env: NodeJS.ProcessEnv): number | null {
    return spawnSync(HEALTHCHECK[0] === 'node' ? process.execPath : HEALTHCHECK[0], HEALTHCHECK.slice(1), { cwd: root, env, timeout: 10_000 }).status;
  }

  it('serves, passes its HEALTHCHECK, and fails it once stopped', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'frugal-image-start-'));
    const port = await freePort();
    // The image's ENV, but listening on loopback only (the tests send traffic to 127.0.0.1 alone).
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...runtimeEnv, FRUGAL_HOST: '127.0.0.1', FRUGAL_PORT: String(port), FRUGAL_DATA_DIR: dataDir };
    const [entry, ...args] = [...execForm(dockerfile.getENTRYPOINTs()[0] as Instruction), ...execForm(dockerfile.getCMDs()[0] as Instruction)];
    expect(entry).toBe('node');
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data) => (output += data));
    child.stderr.on('data', (data) => (output += data));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes('Frugal listening on')) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the start command did not serve:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(output).toContain(`127.0.0.1:${port}`);
      expect(healthcheck(env)).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(healthcheck(env)).toBe(1);
    // The data directory the image's FRUGAL_DATA_DIR names is where the embedded ledger went.
    expect(existsSync(join(dataDir, 'ledger.sqlite'))).toBe(true);
  });
});
