/** The Helm version scripts/install-helm.mjs installs. */
export declare const HELM_VERSION: string;
/** Where scripts/install-helm.mjs puts helm (under node_modules/.cache). */
export declare const HELM_PATH: string;
