export declare const STAMP: string;
/** Why the build under `root` is stale, or undefined when dist/ is newer than every input. */
export declare function staleReason(root: string): string | undefined;
/** Builds when stale; true when it built. */
export declare function buildIfStale(root: string): boolean;
