import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FrugalError } from '../errors/frugal-error.js';
import type { CatalogOverrideEntry } from './catalog-override.js';

export const CATALOG_OVERRIDE_FILE = 'catalog-override.json';

const usdPerMillion = z.string().regex(/^\d+(\.\d{1,6})?$/, 'USD per 1M tokens as a decimal string with at most 6 decimals');

const tierRates = z.strictObject({ input: usdPerMillion, output: usdPerMillion, cached_input: usdPerMillion.optional() });

const entrySchema = z.strictObject({
  name: z.string().min(1),
  provider: z.string().min(1),
  type: z.enum(['chat', 'embedding']),
  price: z.strictObject({
    input: usdPerMillion,
    output: usdPerMillion,
    cached_input: usdPerMillion.optional(),
    cache_write: usdPerMillion.optional(),
    batch: tierRates.optional(),
    flex: tierRates.optional(),
  }),
  context: z.number().int().positive(),
  max_output: z.number().int().positive().optional(),
  capabilities: z.strictObject({ tools: z.boolean().optional(), vision: z.boolean().optional(), json_schema: z.boolean().optional() }).optional(),
  source: z.string().min(1),
  as_of: z.string().min(1),
});

const fileSchema = z.strictObject({ version: z.literal(1), models: z.array(entrySchema) });

export function catalogOverridePath(dataDir: string): string {
  return join(dataDir, CATALOG_OVERRIDE_FILE);
}

/** The imported override in `<dataDir>/catalog-override.json`; undefined when there is none. A broken file fails loudly. */
export async function readCatalogOverride(dataDir: string): Promise<CatalogOverrideEntry[] | undefined> {
  const path = catalogOverridePath(dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw overrideError(path, `cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw overrideError(path, `not valid JSON: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw overrideError(path, `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data.models;
}

/** Writes the override whole (a temporary file renamed over the old one, so a reader never sees half of it). */
export async function writeCatalogOverride(dataDir: string, models: readonly CatalogOverrideEntry[]): Promise<string> {
  const path = catalogOverridePath(dataDir);
  await mkdir(dataDir, { recursive: true });
  const sorted = [...models].sort((a, b) => a.name.localeCompare(b.name));
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ version: 1, models: sorted }, null, 2)}\n`);
  await rename(temporary, path);
  return path;
}

function overrideError(path: string, message: string): FrugalError {
  return new FrugalError('config_invalid', `Invalid catalog override ${path}: ${message} (re-run \`frugal models import\` or delete the file)`);
}
