import { join } from 'node:path';
import ts from 'typescript';

// kubernetes-models' validators check types and required fields but let unknown fields through, so a misspelt
// `readinesProbe` would pass. The same package's TypeScript declarations list every field of every API object;
// this walks a rendered object along them with the TypeScript checker (the strict mode of kubeconform, from the
// declarations instead of a JSON schema) and names each field the API does not have.

const root = join(import.meta.dirname, '..');
const ENTRY = join(root, 'test', '__kubernetes_kinds__.ts');
const KINDS = `
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
export interface Kinds {
  'v1/ConfigMap': IConfigMap;
  'v1/Secret': ISecret;
  'v1/Service': IService;
  'apps/v1/Deployment': IDeployment;
  'autoscaling/v2/HorizontalPodAutoscaler': IHorizontalPodAutoscaler;
  'batch/v1/Job': IJob;
}
`;

let checker: ts.TypeChecker | undefined;
let kinds: ts.Type | undefined;

/** One program over the declarations these kinds use (each file imported directly: the index files pull in every kind), made on first use. */
function kindsType(): { checker: ts.TypeChecker; kinds: ts.Type } {
  if (!checker || !kinds) {
    const options: ts.CompilerOptions = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['lib.es5.d.ts'] };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (name, language, ...rest) => (name === ENTRY ? ts.createSourceFile(name, KINDS, language) : getSourceFile.call(host, name, language, ...rest));
    host.fileExists = (name) => name === ENTRY || fileExists.call(host, name);
    host.readFile = (name) => (name === ENTRY ? KINDS : readFile.call(host, name));
    const program = ts.createProgram([ENTRY], options, host);
    checker = program.getTypeChecker();
    const entry = program.getSourceFile(ENTRY)!;
    const declaration = entry.statements.find((statement): statement is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(statement))!;
    kinds = checker.getTypeAtLocation(declaration);
  }
  return { checker, kinds };
}

function walk(checker: ts.TypeChecker, value: unknown, declared: ts.Type, path: string, unknown: string[]): void {
  if (value === null || typeof value !== 'object') return;
  let type = checker.getNonNullableType(declared);
  if (type.isUnion()) {
    // IntOrString and the like: only an object member has fields to check.
    const objects = type.types.filter((member) => (member.flags & ts.TypeFlags.Object) !== 0);
    if (objects.length !== 1) return;
    type = objects[0];
  }
  if (Array.isArray(value)) {
    if (!checker.isArrayType(type)) return;
    const [item] = checker.getTypeArguments(type as ts.TypeReference);
    value.forEach((element, index) => walk(checker, element, item, `${path}[${index}]`, unknown));
    return;
  }
  const index = checker.getIndexInfosOfType(type)[0];
  for (const [key, child] of Object.entries(value)) {
    const property = checker.getPropertyOfType(type, key);
    if (property) walk(checker, child, checker.getTypeOfSymbol(property), `${path}.${key}`, unknown);
    else if (index) walk(checker, child, index.type, `${path}.${key}`, unknown);
    else unknown.push(`${path}.${key}`);
  }
}

/**
 * The paths of fields `manifest` has and its Kubernetes kind does not (empty when all are known), or undefined
 * when the kind is not one of those above.
 *
 * @example
 * unknownFields({ apiVersion: 'v1', kind: 'Service', spec: { portz: [] } }); // ['Service.spec.portz']
 */
export function unknownFields(manifest: { apiVersion: string; kind: string }): string[] | undefined {
  const { checker, kinds } = kindsType();
  const kind = checker.getPropertyOfType(kinds, `${manifest.apiVersion}/${manifest.kind}`);
  if (!kind) return undefined;
  const found: string[] = [];
  walk(checker, manifest, checker.getTypeOfSymbol(kind), manifest.kind, found);
  return found;
}
