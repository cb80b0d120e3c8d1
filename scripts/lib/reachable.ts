import { connect } from "node:net";

/** Whether something accepts TCP connections at `host:port` (IPv6 hosts may be bracketed). */
export function reachable(hostPort: string, timeoutMs = 3000): Promise<boolean> {
  const i = hostPort.lastIndexOf(":");
  const host = hostPort.slice(0, i).replace(/^\[|\]$/g, "");
  return new Promise((done) => {
    const socket = connect({ host, port: Number(hostPort.slice(i + 1)) });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}
