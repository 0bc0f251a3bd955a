/**
 * The processors' HTTP endpoints: /metrics (Prometheus), /healthz (the process answers) and /readyz
 * (see readiness.ts). It binds to HTTP_HOST, loopback by default; when HTTP_ACCESS_TOKEN is set (the
 * config requires it for any other address) every request must carry it as a bearer token.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { PipelineConfig } from '../config.js';
import type { Readiness } from './readiness.js';

export interface HttpResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface HttpServerDeps {
  config: PipelineConfig['http'];
  registry: Registry;
  readiness: () => Promise<Readiness>;
  /** Further GET resources by path, such as the war-room page. */
  resources?: Record<string, () => HttpResponse | Promise<HttpResponse>>;
}

export interface RunningHttpServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(deps: HttpServerDeps): Promise<RunningHttpServer> {
  const { config } = deps;
  const server = createServer((req, res) => {
    void handle(deps, req, res).catch((error: Error) => send(res, 500, 'text/plain', `internal error: ${error.message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: config.host,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(deps: HttpServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!authorized(req, url, deps.config.accessToken?.reveal())) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    return send(res, 401, 'text/plain', 'unauthorized\n');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
  const path = url.pathname;
  switch (path) {
    case '/metrics':
      return send(res, 200, deps.registry.contentType, await deps.registry.metrics());
    case '/healthz':
      return send(res, 200, 'application/json', JSON.stringify({ alive: true }) + '\n');
    case '/readyz': {
      const result = await deps.readiness();
      return send(res, result.ready ? 200 : 503, 'application/json', JSON.stringify(result) + '\n');
    }
    default: {
      const resource = deps.resources?.[path];
      if (resource === undefined) return send(res, 404, 'text/plain', 'not found\n');
      const { status, contentType, body } = await resource();
      return send(res, status, contentType, body);
    }
  }
}

/** The bearer header, or `?token=` for a browser opening the war-room page (which has no way to set a header). */
function authorized(req: IncomingMessage, url: URL, token: string | undefined): boolean {
  if (token === undefined) return true;
  const presented = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('token') ?? '';
  const expected = Buffer.from(token);
  const actual = Buffer.from(presented);
  // Constant-time comparison, so response timing does not reveal how much of a guess was right.
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}
