import { describe, expect, it } from 'vitest';
import { displayServer, displayServers } from '../src/servers.js';

describe('servers as shown (stderr, ringpipe ls)', () => {
  it('is host:port, without the scheme and without credentials', () => {
    expect(displayServer('nats://127.0.0.1:4222')).toBe('127.0.0.1:4222');
    expect(displayServer('nats://someone:secret@10.0.0.5:4222')).toBe('10.0.0.5:4222');
    expect(displayServer('tls://token@nats.example.com:4443')).toBe('nats.example.com:4443');
    expect(displayServer('a.example:4222')).toBe('a.example:4222');
    expect(displayServer('nats://[::1]:4222')).toBe('[::1]:4222');
    expect(displayServers(['nats://u:p@a:1', 'b:2'])).toBe('a:1,b:2');
  });
});
