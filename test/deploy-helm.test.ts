import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job, type IJob } from 'kubernetes-models/batch/v1';
import { ConfigMap, Secret, Service, type IConfigMap, type IContainer, type IPodSpec, type ISecret, type IService } from 'kubernetes-models/v1';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { HELM_PATH } from '../scripts/install-helm.mjs';
import { buildProgram } from '../src/cli/main.js';
import { validateConfig } from '../src/config/load-config.js';
import { unknownFields } from './kubernetes-unknown-fields.js';

// The chart in deploy/helm/frugal, rendered by Helm itself (scripts/install-helm.mjs puts the official binary in
// node_modules/.cache), each object checked against the Kubernetes API schemas (kubernetes-models: types, required
// fields, formats) and for fields its kind does not have (kubernetes-unknown-fields.ts), then what holds the
// pieces together: the Deployment runs the image's own start command, the ConfigMap is a config Frugal accepts,
// the migrations job runs a command the CLI has.

const root = join(import.meta.dirname, '..');
const chart = join(root, 'deploy', 'helm', 'frugal');
const testValues = join(chart, 'ci', 'test-values.yaml');
const helmThere = existsSync(HELM_PATH);
if (!helmThere && process.env.CI !== 'true') console.warn(`SKIPPED the Helm chart checks: no helm at ${HELM_PATH} (run \`node scripts/install-helm.mjs\`; they fail instead when CI=true).`);

function helm(...args: string[]) {
  const run = spawnSync(HELM_PATH, args, { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HELM_CACHE_HOME: join(root, 'node_modules', '.cache', 'helm') } });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
}
interface Kinds {
  ConfigMap: IConfigMap;
  Secret: ISecret;
  Service: IService;
  Deployment: IDeployment;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  Job: IJob;
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
};

/** `helm template` into objects; YAML errors (a duplicated key included) fail here. */
function render(...args: string[]): Manifest[] {
  const rendered = helm('template', 'frugal', chart, ...args);
  expect(rendered.status, rendered.err).toBe(0);
  return parseAllDocuments(rendered.out).flatMap((document) => {
    expect(document.errors, String(document.errors)).toEqual([]);
    const value = document.toJS() as Manifest | null;
    return value ? [value] : [];
  });
}

/** The one object of a kind (a hook's own copy, or the release's); checked against its schema by the test above. */
function one<K extends keyof Kinds>(manifests: Manifest[], kind: K, hook = false): Kinds[K] & Manifest {
  const found = manifests.filter((manifest) => manifest.kind === kind && Boolean(manifest.metadata.annotations?.['helm.sh/hook']) === hook);
  expect(found, `one ${hook ? 'hook ' : ''}${kind}`).toHaveLength(1);
  return found[0] as Kinds[K] & Manifest;
}
const podOf = (owner: IDeployment | IJob): IPodSpec => owner.spec!.template.spec!;
const containerOf = (owner: IDeployment | IJob): IContainer => podOf(owner).containers[0];
const decode = (secret: ISecret) => Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
interface TestValues {
  image: { repository: string; tag: string };
  secrets: { masterKey: string; metricsToken: string; databaseUrl: string; redisUrl: string; providerKeys: Record<string, string> };
}
const values = parseYaml(readFileSync(testValues, 'utf8')) as TestValues;

describe.runIf(helmThere || process.env.CI === 'true')('Helm chart deploy/helm/frugal', () => {
  it('has the helm the checks need (node scripts/install-helm.mjs)', () => {
    expect(helmThere, `no helm at ${HELM_PATH}`).toBe(true);
  });

  it('passes `helm lint --strict`', () => {
    const lint = helm('lint', '--strict', chart, '-f', testValues);
    expect(lint.status, lint.out + lint.err).toBe(0);
    expect(lint.out).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders a Deployment, Service, ConfigMap, Secret, HPA and a migrations Job, each valid against the Kubernetes API schema', () => {
    const manifests = render('-f', testValues);
    expect(manifests.map((manifest) => manifest.kind).sort()).toEqual(['ConfigMap', 'ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'Job', 'Secret', 'Secret', 'Service']);
    for (const manifest of manifests) {
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      expect(Model, `${manifest.apiVersion} ${manifest.kind} is one the test knows`).toBeDefined();
      expect(() => new Model(manifest as never).validate(), `${manifest.kind} ${manifest.metadata.name}`).not.toThrow();
      expect(unknownFields(manifest), `${manifest.kind} ${manifest.metadata.name}: fields Kubernetes does not have`).toEqual([]);
    }
    // Neither check is vacuous: a wrong type is refused, a misspelt field is named.
    const deployment = structuredClone(one(manifests, 'Deployment'));
    Object.assign(containerOf(deployment).ports![0], { containerPort: 'http' });
    expect(() => new Deployment(deployment).validate()).toThrow(/containerPort/);
    const misspelt = structuredClone(one(manifests, 'Deployment'));
    Object.assign(containerOf(misspelt), { readinesProbe: containerOf(misspelt).readinessProbe });
    expect(unknownFields(misspelt)).toEqual(['Deployment.spec.template.spec.containers[0].readinesProbe']);
  });

  it("runs the image's own start command as the Dockerfile's non-root user, probed on /healthz, behind the Service and the HPA", () => {
    const manifests = render('-f', testValues);
    const deployment = one(manifests, 'Deployment');
    const pod = podOf(deployment);
    const container = containerOf(deployment);
    expect(container.command).toBeUndefined();
    expect(container.args).toBeUndefined();
    expect(container.image).toBe(`${values.image.repository}:${values.image.tag}`);
    const configMap = one(manifests, 'ConfigMap');
    const configPort = (parseYaml(configMap.data!['frugal.yaml']) as { server: { port: number } }).server.port;
    expect(container.ports).toEqual([{ name: 'http', containerPort: configPort, protocol: 'TCP' }]);
    for (const probe of [container.readinessProbe, container.livenessProbe]) expect(probe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    const dockerUser = /^USER (\d+)/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))![1];
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: Number(dockerUser) });
    // FRUGAL_CONFIG names the ConfigMap's file where it is mounted; /data is the image's FRUGAL_DATA_DIR.
    const configEnv = container.env?.find((variable) => variable.name === 'FRUGAL_CONFIG')?.value ?? '';
    const configMount = container.volumeMounts?.find((mount) => configEnv.startsWith(`${mount.mountPath}/`));
    expect(configMount, `a mount holds ${configEnv}`).toBeDefined();
    expect(pod.volumes?.find((volume) => volume.name === configMount!.name)?.configMap?.name).toBe(configMap.metadata.name);
    expect(Object.keys(configMap.data!)).toEqual([configEnv.slice(configMount!.mountPath.length + 1)]);
    expect(container.volumeMounts?.map((mount) => mount.mountPath)).toContain('/data');
    expect(container.envFrom).toEqual([{ secretRef: { name: one(manifests, 'Secret').metadata.name } }]);
    const service = one(manifests, 'Service');
    expect(deployment.spec!.template.metadata!.labels).toMatchObject(service.spec!.selector!);
    expect(service.spec!.ports![0].targetPort).toBe('http');
    const hpa = one(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.spec!.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(deployment.spec!.replicas).toBeUndefined(); // the HPA owns the count
  });

  it('holds a config Frugal accepts, with the secrets it reads, and leaves out empty provider keys', () => {
    const manifests = render('-f', testValues);
    const env = decode(one(manifests, 'Secret'));
    expect(env).toEqual({
      DATABASE_URL: values.secrets.databaseUrl,
      REDIS_URL: values.secrets.redisUrl,
      FRUGAL_MASTER_KEY: values.secrets.masterKey,
      FRUGAL_METRICS_TOKEN: values.secrets.metricsToken,
      OPENAI_API_KEY: values.secrets.providerKeys.OPENAI_API_KEY,
    });
    const config = validateConfig(parseYaml(one(manifests, 'ConfigMap').data!['frugal.yaml']), { env, catalogOverride: [] });
    expect(config.ledger.databaseUrl).toBe(values.secrets.databaseUrl);
    expect(config.ledger.dataDir).toBe('/data');
    expect(config.server.metrics.token).toBe(values.secrets.metricsToken);
    expect(config.masterKey).toBe(values.secrets.masterKey);
    expect([...config.providers.keys()]).toEqual(['openai']);
  });

  it('migrates before install and upgrade with `frugal ledger migrate`, on copies of the config and Secret made just before it', async () => {
    const manifests = render('-f', testValues);
    const job = one(manifests, 'Job', true);
    const hook = (manifest: Manifest) => [manifest.metadata.annotations!['helm.sh/hook'], Number(manifest.metadata.annotations!['helm.sh/hook-weight'])] as const;
    expect(hook(job)).toEqual(['pre-install,pre-upgrade', 0]);
    const container = containerOf(job);
    expect(container.args).toEqual(['ledger', 'migrate']);
    expect(container.command).toBeUndefined(); // the image's entrypoint, node bin/frugal.mjs
    const program = await buildProgram('ledger');
    expect(program.commands.find((command) => command.name() === 'ledger')?.commands.map((command) => command.name())).toContain('migrate');
    const hookConfig = one(manifests, 'ConfigMap', true);
    const hookSecret = one(manifests, 'Secret', true);
    for (const copy of [hookConfig, hookSecret]) expect(hook(copy)).toEqual(['pre-install,pre-upgrade', -10]);
    expect(hookConfig.data).toEqual(one(manifests, 'ConfigMap').data);
    expect(hookSecret.data).toEqual(one(manifests, 'Secret').data);
    expect(container.envFrom).toEqual([{ secretRef: { name: hookSecret.metadata.name } }]);
    expect(podOf(job).volumes?.[0].configMap?.name).toBe(hookConfig.metadata.name);
    expect(container.image).toBe(containerOf(one(manifests, 'Deployment')).image);
  });

  it('uses a Secret of your own when existingSecret names one, and renders none', () => {
    const manifests = render('-f', testValues, '--set', 'existingSecret=frugal-env');
    expect(manifests.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
    expect(containerOf(one(manifests, 'Deployment')).envFrom).toEqual([{ secretRef: { name: 'frugal-env' } }]);
    expect(containerOf(one(manifests, 'Job', true)).envFrom).toEqual([{ secretRef: { name: 'frugal-env' } }]);
  });

  it('refuses values that cannot work: no shared database, a short master key, an unknown key', () => {
    const noDatabase = helm('template', 'frugal', chart);
    expect(noDatabase.status).not.toBe(0);
    expect(noDatabase.err).toContain('secrets.databaseUrl is required');
    const shortKey = helm('template', 'frugal', chart, '-f', testValues, '--set', 'secrets.masterKey=short');
    expect(shortKey.status).not.toBe(0);
    expect(shortKey.err).toContain('/secrets/masterKey');
    const typo = helm('template', 'frugal', chart, '-f', testValues, '--set', 'replicaCont=3');
    expect(typo.status).not.toBe(0);
    expect(typo.err).toContain('replicaCont');
  });

  it("tags the image with the chart's appVersion, which is the package's version", () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    const chartYaml = parseYaml(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    expect(chartYaml.appVersion).toBe(version);
    const manifests = render('-f', testValues, '--set', 'image.tag=');
    expect(containerOf(one(manifests, 'Deployment')).image).toBe(`${values.image.repository}:${version}`);
  });
});
