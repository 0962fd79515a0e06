import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { validateConfig } from '../src/config/load-config.js';

// deploy/compose/docker-compose.yml against the Compose Specification's own JSON schema (vendored in
// deploy/schemas/, see its README), then what the schema cannot know: the replicas run the image's start command on
// the shared config, Prometheus scrapes both with the metrics token, the config itself is valid for Frugal.

const root = join(import.meta.dirname, '..');
const composeDir = join(root, 'deploy', 'compose');
const composeFile = join(composeDir, 'docker-compose.yml');
const readYaml = (path: string): unknown => parseYaml(readFileSync(path, 'utf8'), { merge: true });

/** The parts of the Compose file these checks read (the schema check covers the rest). */
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  secrets?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
  secrets: Record<string, unknown>;
}
interface FrugalYaml {
  server: { port: number; metrics: { token: string } };
}
interface PrometheusYaml {
  scrape_configs: { metrics_path?: string; authorization: unknown; static_configs: { targets: string[] }[] }[];
}

function composeValidator() {
  const { $schema: _draft07, ...schema } = JSON.parse(readFileSync(join(root, 'deploy', 'schemas', 'compose-spec.json'), 'utf8')) as Record<string, unknown>;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

/** Compose's interpolation of ${NAME}, ${NAME:-default} and ${NAME:?error} (what this file uses), for reading values. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind: string | undefined, rest: string) => {
    if (env[name]) return env[name];
    if (kind === '?') throw new Error(`${name}: ${rest}`);
    return kind === '-' ? rest : '';
  });
}

const compose = readYaml(composeFile) as ComposeFile;
const services = compose.services;
const frugalImage = services['frugal-1']?.image;
const replicas = Object.keys(services).filter((name) => services[name].image === frugalImage && name !== 'migrate');
const ENV = { FRUGAL_MASTER_KEY: 'm'.repeat(24), FRUGAL_METRICS_TOKEN: 't'.repeat(24), POSTGRES_PASSWORD: 'pw1234' };

describe('docker-compose.yml', () => {
  it('is valid under the Compose Specification schema, which does refuse a misspelt key', () => {
    const validate = composeValidator();
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const typo = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    typo.services['frugal-1'].volumez = typo.services['frugal-1'].volumes;
    expect(validate(typo)).toBe(false);
  });

  it('runs two replicas of the image built from the Dockerfile, each on its own data volume, with the image start command', () => {
    expect(replicas).toEqual(['frugal-1', 'frugal-2']);
    const dockerfileEnv = /FRUGAL_DATA_DIR=(\S+)/.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))![1];
    const dataVolumes = new Set<string>();
    for (const name of replicas) {
      const service = services[name];
      expect(resolve(composeDir, service.build!.context)).toBe(root);
      expect(existsSync(join(root, service.build!.dockerfile))).toBe(true);
      // No command or entrypoint: the Dockerfile's ENTRYPOINT + CMD, the command the tests run (deploy-dockerfile.test.ts).
      expect(service.command).toBeUndefined();
      expect(service.entrypoint).toBeUndefined();
      const data = service.volumes!.find((volume) => volume.split(':')[1] === dockerfileEnv)!;
      expect(data, `${name} mounts a volume at ${dockerfileEnv}`).toBeDefined();
      dataVolumes.add(data.split(':')[0]);
      expect(compose.volumes).toHaveProperty(data.split(':')[0]);
      const dependsOn = service.depends_on as Record<string, { condition: string }>;
      expect(dependsOn.migrate).toEqual({ condition: 'service_completed_successfully' });
      for (const needed of ['postgres', 'redis']) expect(dependsOn[needed]).toEqual({ condition: 'service_healthy' });
    }
    // The spool is per process: two replicas must never share one.
    expect(dataVolumes.size).toBe(replicas.length);
  });

  it('migrates first with a command the CLI has', async () => {
    const [name, subcommand] = services.migrate.command ?? [];
    expect([name, subcommand]).toEqual(['ledger', 'migrate']);
    const program = await buildProgram('ledger');
    const ledger = program.commands.find((command) => command.name() === name);
    expect(ledger?.commands.map((command) => command.name())).toContain(subcommand);
  });

  it('mounts one shared config that Frugal accepts, wired to the compose PostgreSQL (pgvector) and Redis', () => {
    const configPaths = new Set<string>();
    for (const name of [...replicas, 'migrate']) {
      const service = services[name];
      const mount = service.volumes!.find((volume) => volume.split(':')[1] === service.environment?.FRUGAL_CONFIG)!;
      expect(mount, `${name} mounts its FRUGAL_CONFIG`).toBeDefined();
      configPaths.add(resolve(composeDir, mount.split(':')[0]));
    }
    expect([...configPaths]).toEqual([join(composeDir, 'frugal.yaml')]);
    const environment = Object.fromEntries(Object.entries(services['frugal-1'].environment ?? {}).map(([key, value]) => [key, interpolate(value, ENV)]));
    const config = validateConfig(readYaml(join(composeDir, 'frugal.yaml')), { env: environment, catalogOverride: [] });
    expect(config.server.host).toBe('0.0.0.0');
    const database = new URL(config.ledger.databaseUrl!);
    expect([database.hostname, database.port, database.pathname.slice(1), database.username]).toEqual([
      'postgres', '5432', services.postgres.environment?.POSTGRES_DB, services.postgres.environment?.POSTGRES_USER,
    ]);
    expect(services.postgres.image).toMatch(/^pgvector\/pgvector:/);
    expect(new URL(environment.REDIS_URL).hostname).toBe('redis');
    expect(services.redis.image).toMatch(/^redis:/);
    expect(config.ledger.durability).toBe('spool');
    expect(config.demoMode).toBe(true); // no provider key in ENV: every model simulated
  });

  it('refuses to start without the secrets it needs, and says which', () => {
    const text = readFileSync(composeFile, 'utf8');
    for (const name of Object.keys(ENV)) {
      const without = { ...ENV, [name]: '' };
      expect(() => interpolate(text, without)).toThrow(name);
    }
    expect(() => interpolate(text, ENV)).not.toThrow();
  });
});

describe('Prometheus in the compose stack', () => {
  const prometheusService = services.prometheus;
  const mount = prometheusService.volumes!.find((volume) => volume.split(':')[1] === '/etc/prometheus/prometheus.yml')!;
  const prometheusFile = resolve(composeDir, mount.split(':')[0]);

  it('scrapes both replicas on the port their config listens on, with the metrics token they require', () => {
    const [job] = (readYaml(prometheusFile) as PrometheusYaml).scrape_configs;
    const frugalYaml = readYaml(join(composeDir, 'frugal.yaml')) as FrugalYaml;
    const port = frugalYaml.server.port;
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job.static_configs.flatMap((config) => config.targets)).toEqual(replicas.map((name) => `${name}:${port}`));
    // The token file is the compose secret made from the same variable the replicas' config reads.
    const secret = prometheusService.secrets![0];
    expect(job.authorization).toEqual({ type: 'Bearer', credentials_file: `/run/secrets/${secret}` });
    expect(compose.secrets[secret]).toEqual({ environment: 'FRUGAL_METRICS_TOKEN' });
    expect(frugalYaml.server.metrics.token).toBe('${FRUGAL_METRICS_TOKEN}');
    for (const name of replicas) expect(services[name].environment?.FRUGAL_METRICS_TOKEN).toMatch(/^\$\{FRUGAL_METRICS_TOKEN:\?/);
  });

  const promtool = spawnSync('promtool', ['--version']).status === 0;
  if (!promtool && process.env.CI !== 'true') console.warn('SKIPPED promtool check config: promtool is not installed (apt install prometheus; it fails instead when CI=true).');
  it.runIf(promtool || process.env.CI === 'true')('passes `promtool check config` (syntax: the token file exists only inside the container)', () => {
    const checked = spawnSync('promtool', ['check', 'config', '--syntax-only', prometheusFile], { cwd: dirname(prometheusFile), encoding: 'utf8' });
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
  });
});
