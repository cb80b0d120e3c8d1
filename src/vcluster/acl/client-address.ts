// The host an ACL compares: the client's IP address as the broker prints it
// (InetAddress.getHostAddress), so an IPv4 client on a dual-stack socket is "10.0.0.7", not
// "::ffff:10.0.0.7".
export function clientIpAddress(remoteAddress: string): string {
  return remoteAddress.toLowerCase().startsWith("::ffff:") && remoteAddress.includes(".") ? remoteAddress.slice(7) : remoteAddress;
}
