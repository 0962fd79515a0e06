import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseOptions, type IForbiddenRuleType, type IViolation } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const rules = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: IForbiddenRuleType[]; options: ICruiseOptions };

async function violationsIn(baseDir: string): Promise<IViolation[]> {
  const result = await cruise(['src'], { ...rules.options, baseDir, tsConfig: undefined, validate: true, ruleSet: { forbidden: rules.forbidden } });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text, not a result');
  return result.output.summary.violations;
}

const describeViolation = (violation: IViolation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`;

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('layers', { timeout: 60_000 }, () => {
  it('no shipped file imports upward (wire, request, routing, catalog, the edge, lab, test support)', async () => {
    expect((await violationsIn(ROOT)).map(describeViolation)).toEqual([]);
  });

  it('each rule fires on an upward import planted in a scratch tree', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frugal-layers-'));
    dirs.push(dir);
    const files: Record<string, string> = {
      'src/wire/chat-types.ts': "import '../errors/frugal-error.js';\n",
      'src/errors/frugal-error.ts': 'export {};\n',
      'src/request/request-context.ts': "import '../routing/route-node.js';\n",
      'src/routing/route-node.ts': "import '../pipeline/pipeline.js';\n",
      'src/pipeline/pipeline.ts': "import '../server/create-server.js';\nimport '../lab/eval.js';\nimport '../testing/mock.js';\n",
      'src/catalog/pricing.ts': "import '../providers/adapter.js';\n",
      'src/providers/adapter.ts': 'export {};\n',
      'src/server/create-server.ts': "import '../cluster/cluster-primary.js';\n",
      'src/cluster/cluster-primary.ts': 'export {};\n',
      'src/lab/eval.ts': 'export {};\n',
      'src/testing/mock.ts': 'export {};\n',
      'src/cli/eval-command.ts': "import '../lab/eval.js';\n",
      'src/ledger/ledger-row.ts': "import '../batches/batch-service.js';\n",
      'src/batches/batch-service.ts': 'export {};\n',
      'src/pipeline/pipeline.test.ts': "import '../server/create-server.js';\n",
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    const found = (await violationsIn(dir)).map(describeViolation).sort();
    expect(found).toEqual(
      [
        'batches-above-the-pipeline: src/ledger/ledger-row.ts → src/batches/batch-service.ts',
        'catalog-knows-no-provider: src/catalog/pricing.ts → src/providers/adapter.ts',
        'only-the-cli-runs-the-cluster: src/server/create-server.ts → src/cluster/cluster-primary.ts',
        'request-sits-above-wire-only: src/request/request-context.ts → src/routing/route-node.ts',
        'routing-below-pipeline: src/routing/route-node.ts → src/pipeline/pipeline.ts',
        'runtime-never-imports-lab: src/pipeline/pipeline.ts → src/lab/eval.ts',
        'shipped-code-never-imports-test-support: src/pipeline/pipeline.ts → src/testing/mock.ts',
        'stages-below-the-edge: src/pipeline/pipeline.ts → src/server/create-server.ts',
        'wire-imports-nothing: src/wire/chat-types.ts → src/errors/frugal-error.ts',
      ].sort(),
    );
  });
});
