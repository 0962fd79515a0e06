// The depth check lives in wire/ so every way a body arrives can use it: the HTTP edge (server/json-limits.ts,
// server.max_json_depth) and batch lines read from a file (batches/parse-batch-line.ts).

/**
 * The first top-level field of `value` whose nesting passes `maxDepth`, as `{ field }` ('' for a bare array),
 * or undefined. Iterative on purpose: the point is to refuse what would overflow the stack of every
 * recursive walk after it (JSON.stringify in the cache key and the upstream body, structuredClone, zod).
 */
export function findTooDeep(value: unknown, maxDepth: number): { field: string } | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  // Parallel stacks instead of tuples: a 10 MB body holds millions of nodes and this runs on every request.
  const nodes: object[] = [value];
  const depths: number[] = [1];
  const fields: string[] = [''];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    const field = fields.pop()!;
    if (depth > maxDepth) return { field };
    const children = Array.isArray(node) ? node : Object.values(node);
    const topLevel = depth === 1 && !Array.isArray(node) ? Object.keys(node) : undefined;
    for (let index = 0; index < children.length; index += 1) {
      const child: unknown = children[index];
      if (child === null || typeof child !== 'object') continue;
      nodes.push(child);
      depths.push(depth + 1);
      fields.push(topLevel ? topLevel[index] : field);
    }
  }
  return undefined;
}
