// The Kafka listener's certificate files, re-read when they change (polled) or on SIGHUP, so a
// renewed certificate takes effect for new connections without dropping open ones.
import { getLogger } from "../base/log.ts";
import type { Runtime, TlsServerOptions } from "../runtime/types.ts";

const log = getLogger("tls");

export interface ListenerTlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
  readonly clientAuth: TlsServerOptions["clientAuth"];
}

export class ListenerTls {
  private listeners: Array<(tls: TlsServerOptions) => void> = [];
  private timer: ReturnType<typeof setInterval> | null = null;

  private constructor(private readonly runtime: Runtime, private files: ListenerTlsFiles, private tls: TlsServerOptions) {}

  static async load(runtime: Runtime, files: ListenerTlsFiles): Promise<ListenerTls> {
    return new ListenerTls(runtime, files, await readTls(runtime, files));
  }

  get current(): TlsServerOptions {
    return this.tls;
  }

  onChange(listener: (tls: TlsServerOptions) => void): void {
    this.listeners.push(listener);
  }

  /** Polls the files every `intervalMs`; `reload()` may also be called directly (SIGHUP). */
  watch(intervalMs: number): void {
    this.timer ??= setInterval(() => void this.reload(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Other files (a config reload naming new paths): new handshakes use them, open connections keep
   * theirs. Throws `path: reason` and keeps the current files when the new ones do not load.
   */
  async replaceFiles(files: ListenerTlsFiles): Promise<void> {
    const read = async (key: "cert" | "key" | "ca", path: string) => {
      try {
        return await this.runtime.readTextFile(path);
      } catch (e) {
        throw new Error(`listener.tls.${key}: cannot read ${path} (${(e as Error).message})`);
      }
    };
    const next: TlsServerOptions = {
      cert: await read("cert", files.cert),
      key: await read("key", files.key),
      ca: files.ca === undefined ? undefined : await read("ca", files.ca),
      clientAuth: files.clientAuth,
    };
    try {
      for (const l of this.listeners) l(next);
    } catch (e) {
      for (const l of this.listeners) l(this.tls);
      throw new Error(`listener.tls.cert: ${files.cert} with ${files.key} refused (${(e as Error).message})`);
    }
    this.files = files;
    this.tls = next;
    log.info("listener certificate now from {cert}", { cert: files.cert });
  }

  /** Re-reads the files; applies them when they changed. A broken new pair keeps the old one. */
  async reload(): Promise<boolean> {
    const files = this.files;
    let next: TlsServerOptions;
    try {
      next = await readTls(this.runtime, files);
    } catch (e) {
      log.warn("listener TLS files not re-read ({error}); keeping the current certificate", { error: String(e) });
      return false;
    }
    // A config reload switched to other files meanwhile (SIGHUP does both): theirs win.
    if (files !== this.files) return false;
    if (next.cert === this.tls.cert && next.key === this.tls.key && next.ca === this.tls.ca) return false;
    try {
      for (const l of this.listeners) l(next);
    } catch (e) {
      // e.g. a key that does not match the certificate, caught half-way through a rotation
      for (const l of this.listeners) l(this.tls);
      log.warn("new listener certificate refused ({error}); keeping the current one", { error: String(e) });
      return false;
    }
    this.tls = next;
    log.info("listener certificate reloaded from {cert}", { cert: this.files.cert });
    return true;
  }
}

async function readTls(runtime: Runtime, files: ListenerTlsFiles): Promise<TlsServerOptions> {
  return {
    cert: await runtime.readTextFile(files.cert),
    key: await runtime.readTextFile(files.key),
    ca: files.ca === undefined ? undefined : await runtime.readTextFile(files.ca),
    clientAuth: files.clientAuth,
  };
}
