/**
 * `license verify-site --serve`: a preview of the site on 127.0.0.1 (never another interface), static
 * files only, read-only, nothing outside the site's folder.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ConflictError } from '../cli/errors';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.pem': 'application/x-pem-file',
};

export interface SiteServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `dir` on http://127.0.0.1:<port>/ (port 0: any free port). */
export function serveSite(dir: string, port = 0): Promise<SiteServer> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const send = (code: number, body: string | Buffer, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, '只支持 GET。');
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      return send(400, '地址不正确。');
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, `.${rel}`);
    if (!file.startsWith(root + path.sep)) return send(404, '未找到。');
    fs.readFile(file, (err, data) => (err ? send(404, '未找到。') : send(200, data, TYPES[path.extname(file)] ?? 'application/octet-stream')));
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ConflictError(`端口 ${port} 已被占用。`, '请用 --port 换一个端口，例如 --port 8081。') : err),
    );
    server.listen(port, '127.0.0.1', () => {
      const p = (server.address() as { port: number }).port;
      resolve({ url: `http://127.0.0.1:${p}/`, port: p, close: () => new Promise<void>((r) => server.close(() => r())) });
    });
  });
}
