import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, serverPortRange } from '../src/free-port.js';

function listensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('server ports', () => {
  it('stay below the kernel ephemeral range, whatever the range file says', () => {
    expect(serverPortRange('32768\t60999\n')).toEqual([10_000, 32_767]);
    expect(serverPortRange('40000 65000')).toEqual([10_000, 39_999]);
    // Unreadable or malformed: Linux's default range is assumed.
    expect(serverPortRange(undefined)).toEqual([10_000, 32_767]);
    expect(serverPortRange('garbage')).toEqual([10_000, 32_767]);
    // A range that starts too low leaves no room: the OS picks instead.
    expect(serverPortRange('1024 65535')).toBeUndefined();
    expect(serverPortRange('11000 65535')).toBeUndefined();
  });

  it('hands out a port a server can listen on, outside the ephemeral range', async () => {
    const range = serverPortRange(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'));
    const ports = [await freePort(), await freePort(), await freePort()];
    for (const port of ports) {
      if (range) {
        expect(port).toBeGreaterThanOrEqual(range[0]);
        expect(port).toBeLessThanOrEqual(range[1]);
      }
      expect(await listensOn(port)).toBe(true);
    }
  });
});
