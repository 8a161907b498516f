import http from 'node:http';
import { warren } from './warren';

/** GET through the console's preview proxy, as a browser with that preview URL would (Host decides). */
export function getPreview(previewUrl: string, pathname = '/'): Promise<{ status: number; body: string }> {
  const console = new URL(warren().url);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: console.hostname, port: console.port, path: pathname, headers: { host: new URL(previewUrl).host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}
