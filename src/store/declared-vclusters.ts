import type { Config } from "../config/schema.ts";
import { StoreError } from "./errors.ts";
import type { StateStore } from "./state-store.ts";

/**
 * Create the config's `vclusters:` that do not exist yet and update their labels. Runs at start;
 * a conflict with a vcluster created through the API stops the start with the reason.
 */
export async function applyDeclaredVclusters(store: StateStore, declared: Config["vclusters"]): Promise<void> {
  for (const [i, v] of declared.entries()) {
    try {
      await store.putVcluster(v);
    } catch (error) {
      if (error instanceof StoreError) throw new Error(`vclusters[${i}] (${v.name}): ${error.message}`);
      throw error;
    }
  }
}
