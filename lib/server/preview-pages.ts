import type http from 'node:http';

/** Small self-contained HTML pages the preview proxy answers with when it cannot forward. */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sendPreviewPage(res: http.ServerResponse, status: number, title: string, detail: string) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Warren preview</title>
<style>body{font:16px/1.5 system-ui,sans-serif;background:#fafafa;color:#18181b;display:grid;place-items:center;min-height:100vh;margin:0}
main{max-width:34rem;padding:2rem;border:1px solid #e4e4e7;border-radius:12px;background:#fff}h1{font-size:1.25rem;margin:0 0 .5rem}p{margin:0;color:#52525b}</style>
</head><body><main><h1>${esc(title)}</h1><p>${esc(detail)}</p></main></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}
