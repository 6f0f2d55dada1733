import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TargetError } from '../../clients/TargetError.js';
import { probeMappedTarget } from './probeMappedTarget.js';
import { SHIPPED_MAPPING_ENV, shippedMapping } from './shippedMapping.testkit.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve); })));
});

async function serve(status: number, body = '{}'): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers.authorization ?? '(no authorization)'}`);
    res.writeHead(status).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen };
}

describe('probeMappedTarget', () => {
  it('sends the mapping\'s health request and accepts an answer the mapping calls accepted', async () => {
    const { url, seen } = await serve(200);
    await probeMappedTarget(url, shippedMapping('example-exchange'));
    // With the mapping's headers: the API key from the environment.
    expect(seen).toEqual([`GET /ping Bearer ${SHIPPED_MAPPING_ENV.EXCHANGE_TOKEN}`]);
  });

  it('does not quote the API key when the answer echoes it', async () => {
    const { url } = await serve(401, `bad key ${SHIPPED_MAPPING_ENV.EXCHANGE_TOKEN}`);
    const error = await probeMappedTarget(url, shippedMapping('example-exchange')).catch((e: unknown) => e);
    expect((error as TargetError).message).toMatch(/with HTTP 401 "bad key \*\*\*"/);
    expect((error as TargetError).message).not.toContain(SHIPPED_MAPPING_ENV.EXCHANGE_TOKEN);
  });

  it('gives a TargetError protocol for another status, naming the request', async () => {
    const { url } = await serve(404);
    const error = await probeMappedTarget(url, shippedMapping('example-exchange')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).code).toBe('protocol');
    expect((error as TargetError).message).toMatch(/health request GET \/ping with HTTP 404/);
  });
});
