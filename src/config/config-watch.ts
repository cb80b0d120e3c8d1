// Watches the config file for changes by polling its stamp through the runtime (mtime, size,
// inode): an editor's save-by-rename or a Kubernetes ConfigMap's symlink swap replaces the file,
// which an inotify watch on the old file would miss. A change is reported once the file has
// stopped changing for `settleMs`, so a save in several writes causes one reload, not several.
import type { Runtime } from "../runtime/types.ts";

export interface ConfigWatchOptions {
  /** How often the stamp is read. */
  readonly pollMs?: number;
  /** Quiet time after the last change before `onChange` runs (debounce). */
  readonly settleMs?: number;
}

const CONFIG_WATCH_DEFAULTS = { pollMs: 1000, settleMs: 300 } as const;

export class ConfigWatch {
  private timer: ReturnType<typeof setInterval> | null = null;
  private settle: ReturnType<typeof setTimeout> | null = null;
  private stamp: string | undefined;
  private polling = false;

  constructor(
    private readonly files: Pick<Runtime, "fileStamp">,
    private readonly path: string,
    private readonly onChange: () => void,
    private readonly options: ConfigWatchOptions = {},
  ) {}

  async start(): Promise<void> {
    this.stamp = await this.files.fileStamp(this.path);
    this.timer ??= setInterval(() => void this.poll(), this.options.pollMs ?? CONFIG_WATCH_DEFAULTS.pollMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.settle) clearTimeout(this.settle);
    this.timer = this.settle = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const stamp = await this.files.fileStamp(this.path);
      // A file that is gone for a moment (mid-rename) is not a change; its replacement will be.
      if (stamp === undefined || stamp === this.stamp) return;
      this.stamp = stamp;
      if (this.settle) clearTimeout(this.settle);
      this.settle = setTimeout(() => {
        this.settle = null;
        if (this.timer) this.onChange();
      }, this.options.settleMs ?? CONFIG_WATCH_DEFAULTS.settleMs);
    } finally {
      this.polling = false;
    }
  }
}
