// Types for bin/buildManifest.js (plain JavaScript: it runs before any TypeScript loader exists).
export declare const SOURCE_DIRS: readonly string[];
export declare const SOURCE_FILES: readonly string[];
export declare const OUT_DIR: string;
export declare const MANIFEST: string;
export interface BuildManifest {
  format: number;
  /** Repo-relative path -> SHA-1 of the file's content. */
  files: Record<string, string>;
}
export declare function inputFiles(root: string): string[];
export declare function hashInputs(root: string): Record<string, string>;
export declare function manifestOf(files: Record<string, string>): BuildManifest;
/** Why dist/ cannot be used for root's current sources, or undefined when it can. */
export declare function staleReason(root: string): string | undefined;
