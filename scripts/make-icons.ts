/**
 * Renders the app icons and the social preview image in public/ from the SVG mark, with the
 * machine's Chromium (no download). Run again after changing the mark: `npx tsx scripts/make-icons.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';

const MARK = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><title>Warren</title><rect width="32" height="32" rx="7" fill="#4f46e5"/><path d="M8 23v-6a8 8 0 0 1 16 0v6" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/><path d="M6 24h20" stroke="#fff" stroke-width="2.5" stroke-linecap="round" opacity=".7"/></svg>`;
// The maskable and Apple icons fill their square (the platform rounds the corners itself).
const FULL = MARK.replace('rx="7"', 'rx="0"');

const OG = `<div style="width:1200px;height:630px;display:flex;flex-direction:column;justify-content:center;gap:28px;padding:0 96px;box-sizing:border-box;background:linear-gradient(135deg,#eef2ff,#ffffff 60%);font-family:ui-sans-serif,system-ui,sans-serif">
  <div style="display:flex;align-items:center;gap:28px"><div style="width:120px;height:120px">${MARK.replace('<svg ', '<svg width="120" height="120" ')}</div>
  <div style="font-size:88px;font-weight:700;color:#18181b;letter-spacing:-2px">Warren</div></div>
  <div style="font-size:40px;color:#3f3f46;max-width:960px;line-height:1.3">Self-hostable code-execution sandboxes for AI agents and their teams</div>
  <div style="font-size:28px;color:#4f46e5;font-family:ui-monospace,monospace">sandbox.create() · exec · files · snapshots · previews</div>
</div>`;

async function main() {
  writeFileSync('public/favicon.svg', `${MARK}\n`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  const shot = async (html: string, w: number, h: number, file: string, transparent: boolean) => {
    await page.setViewportSize({ width: w, height: h });
    await page.setContent(`<html><body style="margin:0">${html}</body></html>`);
    await page.screenshot({ path: file, omitBackground: transparent, clip: { x: 0, y: 0, width: w, height: h } });
  };
  const icon = (svg: string, size: number) => svg.replace('<svg ', `<svg width="${size}" height="${size}" style="display:block" `);
  await shot(icon(MARK, 32), 32, 32, 'public/favicon-32.png', true);
  await shot(icon(MARK, 192), 192, 192, 'public/icon-192.png', true);
  await shot(icon(MARK, 512), 512, 512, 'public/icon-512.png', true);
  await shot(icon(FULL, 512), 512, 512, 'public/icon-maskable-512.png', false);
  await shot(icon(FULL, 180), 180, 180, 'public/apple-touch-icon.png', false);
  await shot(OG, 1200, 630, 'public/og-image.png', false);
  await browser.close();
  writeFileSync('public/favicon.ico', icoOf(readFileSync('public/favicon-32.png'), 32));
}

/** An .ico holding one PNG (allowed since Windows Vista; every browser reads it), for /favicon.ico requests. */
function icoOf(png: Buffer, size: number): Buffer {
  const head = Buffer.alloc(22);
  head.writeUInt16LE(0, 0); // reserved
  head.writeUInt16LE(1, 2); // type: icon
  head.writeUInt16LE(1, 4); // one image
  head.writeUInt8(size, 6);
  head.writeUInt8(size, 7);
  head.writeUInt16LE(1, 10); // colour planes
  head.writeUInt16LE(32, 12); // bits per pixel
  head.writeUInt32LE(png.length, 14);
  head.writeUInt32LE(22, 18); // the PNG follows the header
  return Buffer.concat([head, png]);
}

await main();
