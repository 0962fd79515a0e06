/** Bundles web/dashboard into `outDir` (default dist/dashboard-web); resolves to the sizes in bytes. */
export function buildDashboard(outDir?: string): Promise<{ js: number; css: number }>;
