// The file half of `Runtime` on node:fs, for unit tests that need real files without the
// runtime adapters. `crashBeforeRename` simulates a process dying between the temp write and
// the rename: the temp file stays behind and the target is untouched.
import { mkdir, open, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Runtime } from "../../src/runtime/types.ts";

export type FileRuntime = Pick<Runtime, "readTextFile" | "writeFileAtomic" | "fileExists" | "mkdirp" | "env">;

export interface NodeFileRuntime extends FileRuntime {
  crashBeforeRename: boolean;
  writes: number;
}

export function nodeFileRuntime(env: Record<string, string> = {}): NodeFileRuntime {
  let tempCounter = 0;
  const rt: NodeFileRuntime = {
    crashBeforeRename: false,
    writes: 0,
    readTextFile: (path) => readFile(path, "utf8"),
    async writeFileAtomic(path, data) {
      const temp = `${path}.tmp-${process.pid}-${tempCounter++}`;
      const handle = await open(temp, "w", 0o600); // as the runtime adapters do
      try {
        await handle.writeFile(data, "utf8");
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (rt.crashBeforeRename) throw new Error("simulated crash before rename");
      await rename(temp, path);
      rt.writes++;
    },
    async fileExists(path) {
      try {
        await stat(path);
        return true;
      } catch {
        return false;
      }
    },
    mkdirp: async (path) => {
      await mkdir(path, { recursive: true });
    },
    env: (name) => env[name],
  };
  return rt;
}

export async function writeText(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data, "utf8");
}
