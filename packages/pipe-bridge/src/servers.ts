/** A server as it may be shown: host:port, without the scheme's credentials (`nats://user:pass@host`). */
export function displayServer(server: string): string {
  try {
    const url = new URL(/^[a-z]+:\/\//i.test(server) ? server : `nats://${server}`);
    return url.port ? `${url.hostname}:${url.port}` : url.hostname;
  } catch {
    return server.replace(/^.*@/, '');
  }
}

export function displayServers(servers: readonly string[]): string {
  return servers.map(displayServer).join(',');
}
