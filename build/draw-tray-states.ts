// Draws docs/images/tray-states.png: the tray icon files of build/tray (normal, unread, mention; for
// light and dark panels) at eight times their size beside their real size, and the tray menu's items
// as main/src/app/tray.ts builds them for each state, composed in Chromium. A picture of what the app
// ships, not a screenshot of an operating system's tray (none can be taken here).
// Run: node --import tsx build/draw-tray-states.ts
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import type { MenuItemConstructorOptions } from 'electron';
import { trayImage, trayMenu, trayState, trayTooltip, type Attention } from '../main/src/app/tray.ts';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const TRAY = path.join(ROOT, 'build/tray');
const OUT = path.join(ROOT, 'docs/images/tray-states.png');

const dataUrl = (file: string) =>
  `data:image/png;base64,${fs.readFileSync(path.join(TRAY, file)).toString('base64')}`;
const escape = (text: string) =>
  text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

const now = new Date(2026, 0, 15, 14, 0).getTime();
const states: { caption: string; attention: Attention }[] = [
  { caption: 'Nothing new', attention: { unread: 0, mentions: 0, dnd: null } },
  { caption: 'Unread messages', attention: { unread: 12, mentions: 0, dnd: null } },
  {
    caption: 'For you (mention, direct message), do not disturb on',
    attention: { unread: 14, mentions: 2, dnd: { until: now + 90 * 60_000 } },
  },
];
const noop = () => {};

/** The menu's items; with `openSubmenu`, a submenu is drawn open beside its item. */
function menuHtml(items: MenuItemConstructorOptions[], openSubmenu = false): string {
  return items
    .map((item) => {
      if (item.type === 'separator') return '<li class="sep"></li>';
      const check = item.type === 'checkbox' ? (item.checked ? '✓' : '') : '';
      const submenu = Array.isArray(item.submenu) ? item.submenu : null;
      const more = submenu ? '<span class="more">▸</span>' : '';
      const open = submenu && openSubmenu ? `<ul class="menu sub">${menuHtml(submenu)}</ul>` : '';
      const classes = [item.enabled === false ? 'off' : '', open ? 'open' : ''].filter(Boolean).join(' ');
      return `<li class="${classes}"><span class="check">${check}</span>${escape(item.label ?? '')}${more}${open}</li>`;
    })
    .join('');
}

function section({ caption, attention }: (typeof states)[number]): string {
  const state = trayState(attention);
  const icons = (['on-light', 'on-dark'] as const)
    .map((variant) => {
      const file = trayImage('win32', state, variant === 'on-dark');
      return `<div class="panel ${variant}"><img class="big" src="${dataUrl(file.replace('.png', '@2x.png'))}">
        <img src="${dataUrl(file)}"><span>${variant === 'on-dark' ? 'dark panel' : 'light panel'}</span></div>`;
    })
    .join('');
  const menu = trayMenu(
    { attention, now, startAtLogin: { on: true, supported: true } },
    { open: noop, dnd: noop, startAtLogin: noop, quit: noop },
  );
  return `<section><h2>${escape(caption)}</h2><div class="row">${icons}
    <div><p class="tip">${escape(trayTooltip(attention, now)).replace('\n', '<br>')}</p>
    <ul class="menu">${menuHtml(menu, attention.dnd !== null)}</ul></div></div></section>`;
}

const html = `<!doctype html><meta charset="utf-8"><style>
  body { margin: 0; padding: 20px; font: 14px system-ui, sans-serif; background: #f4f5f7; color: #1f2328; }
  section { background: #fff; border-radius: 10px; padding: 12px 16px; margin-bottom: 14px; }
  h2 { font-size: 14px; margin: 0 0 10px; }
  .row { display: flex; gap: 18px; align-items: flex-start; }
  .panel { display: flex; flex-direction: column; align-items: center; gap: 6px; padding: 10px; border-radius: 8px; font-size: 12px; }
  .on-light { background: #e9ebee; } .on-dark { background: #2b2f36; color: #e6e6e6; }
  .big { width: 128px; height: 128px; image-rendering: pixelated; }
  .tip { margin: 0 0 6px; font-size: 12px; background: #fffbe6; border: 1px solid #e3d9a6; padding: 4px 8px; border-radius: 4px; }
  .menu { list-style: none; margin: 0; padding: 4px 0; width: 270px; background: #fff; border: 1px solid #c9ccd1; border-radius: 6px; box-shadow: 0 4px 14px #0002; }
  .menu li { padding: 5px 12px 5px 6px; display: flex; }
  .menu li.off { color: #9aa0a6; } .menu .sep { height: 1px; background: #e1e4e8; padding: 0; margin: 4px 0; }
  .check { width: 20px; display: inline-block; text-align: center; } .more { margin-left: auto; }
  .menu li.open { position: relative; background: #dbe6fb; }
  .menu.sub { position: absolute; left: 262px; top: -5px; width: 190px; }
</style><body>${states.map(section).join('')}</body>`;

const browser = await chromium.launch({
  executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 940, height: 400 }, deviceScaleFactor: 1 });
  await page.setContent(html);
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  await page.screenshot({ path: OUT, fullPage: true });
  process.stdout.write(`wrote ${path.relative(ROOT, OUT)}\n`);
} finally {
  await browser.close();
}
