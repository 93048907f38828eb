import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

// The status page is static: plain HTML, CSS and JS shipped in packages/hub/status-page/ (two
// levels above both src/status/ and dist/status/). It signs in over the hub's own WebSocket API
// with a client token the user gives it, so nothing secret reaches an HTTP request or a log line.
const ASSETS_DIR = new URL('../../status-page/', import.meta.url);

const ASSETS: Record<string, { file: string; type: string }> = {
  '/status': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/status/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/status/status.css': { file: 'status.css', type: 'text/css; charset=utf-8' },
  '/status/status.js': { file: 'status.js', type: 'text/javascript; charset=utf-8' },
  '/status/sends.js': { file: 'sends.js', type: 'text/javascript; charset=utf-8' },
  '/status/icon.svg': { file: 'icon.svg', type: 'image/svg+xml' },
};

/** No inline script or style, no other origin: injected markup could not run even if it got in. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const cache = new Map<string, Buffer>();

function asset(file: string): Buffer {
  let body = cache.get(file);
  if (!body) {
    body = readFileSync(new URL(file, ASSETS_DIR));
    cache.set(file, body);
  }
  return body;
}

/**
 * Serves `GET /status` (and its CSS and JS), and sends a browser that opens `/` there. Returns
 * false for every other request, for the next route to answer.
 */
export function serveStatusPage(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const { pathname } = new URL(req.url ?? '/', 'http://hub');
  if (pathname === '/') {
    res.writeHead(302, { location: '/status' }).end();
    return true;
  }
  const entry = ASSETS[pathname];
  if (!entry) return false;
  const body = asset(entry.file);
  res.writeHead(200, {
    'content-type': entry.type,
    'content-length': String(body.length),
    'cache-control': 'no-cache',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
