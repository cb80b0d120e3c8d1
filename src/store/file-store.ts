import type { Runtime } from "../runtime/types.ts";
import type { StoreRules } from "./mutations.ts";
import type { StoreState } from "./records.ts";
import { type ParsedSnapshot, parseSnapshot, serializeSnapshot } from "./snapshot-format.ts";
import { SnapshotStore } from "./snapshot-store.ts";

export type StoreFiles = Pick<Runtime, "readTextFile" | "writeFileAtomic" | "fileExists" | "mkdirp">;

/**
 * The embedded default store: one JSON file, replaced atomically on every change (temp file,
 * fsync, rename via `writeFileAtomic`). A crash before the rename leaves the previous file
 * intact and at most a stray temp file, which is never read. One kgate process per file.
 */
export class FileStore extends SnapshotStore {
  private directoryReady = false;

  constructor(
    private readonly path: string,
    private readonly files: StoreFiles,
    clock: () => number = Date.now,
    rules: StoreRules = {},
  ) {
    super(clock, rules);
  }

  protected get source(): string {
    return this.path;
  }

  protected async readSnapshot(): Promise<ParsedSnapshot | undefined> {
    if (!(await this.files.fileExists(this.path))) return undefined;
    return parseSnapshot(await this.files.readTextFile(this.path), this.path);
  }

  protected async writeSnapshot(state: StoreState): Promise<void> {
    if (!this.directoryReady) {
      const dir = parentDirectory(this.path);
      if (dir) await this.files.mkdirp(dir);
      this.directoryReady = true;
    }
    await this.files.writeFileAtomic(this.path, serializeSnapshot(state));
  }
}

function parentDirectory(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut > 0 ? path.slice(0, cut) : "";
}
