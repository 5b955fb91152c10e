// Shared helpers for Haven's browser tests.
//
// Each test file starts one Haven demo server (fresh temporary database,
// random free port, random demo password) and drives Debian's Chromium
// through playwright-core. Nothing here downloads a browser.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(E2E_DIR, '..');
export const SCREENSHOT_DIR = join(E2E_DIR, 'screenshots');
export const CHROMIUM = process.env.HAVEN_CHROMIUM || '/usr/bin/chromium';

/** The nine demo users, one per role. */
export const DEMO_USERS = ['admin', 'triage', 'idva', 'outreach', 'refuge', 'marac', 'police', 'children', 'commissioner'];

// Servers still running when node exits (a crash, a timeout) are killed.
const live = new Set();
process.once('exit', () => { for (const c of live) c.kill('SIGKILL'); });

function havenBin() {
  const bin = process.env.HAVEN_BIN || join(ROOT, 'target', 'debug', 'haven');
  if (!existsSync(bin)) {
    throw new Error(`haven binary not found at ${bin}: build it (cargo build -p haven-cli) or set HAVEN_BIN`);
  }
  return bin;
}

/**
 * Start `haven demo` on a fresh temporary database.
 * Resolves to {base, password, dir, output(), stop()} once the server logs
 * "listening on http://127.0.0.1:PORT".
 */
export async function startHaven({ scale = 300, idleTimeoutSecs, timeoutMs = 120_000, env = {} } = {}) {
  const bin = havenBin();
  const dir = mkdtempSync(join(tmpdir(), 'haven-e2e-'));
  const db = join(dir, 'haven.db');
  // Random, long enough for any password rule, and not a demo default.
  const password = `e2e-${randomBytes(12).toString('hex')}`;
  const args = ['demo', '--db', db, '--port', '0', '--demo-password', password, '--scale', String(scale)];
  if (idleTimeoutSecs !== undefined) args.push('--idle-timeout-secs', String(idleTimeoutSecs));
  const child = spawn(bin, args, {
    cwd: dir,
    env: { ...process.env, HAVEN_LOG: process.env.HAVEN_LOG || 'warn', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let log = '';
  let exited = null;
  const base = await new Promise((resolveBase, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`haven demo did not report "listening on" within ${timeoutMs} ms. Output:\n${log}`));
    }, timeoutMs);
    const onData = (chunk) => {
      log += chunk.toString();
      // Strip ANSI colour codes before matching, in case logging is coloured.
      const m = log.replace(/\x1b\[[0-9;]*m/g, '').match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolveBase(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      clearTimeout(timer);
      reject(new Error(`haven demo exited early (code ${code}, signal ${signal}). Output:\n${log}`));
    });
  });
  // Keep draining output so the child never blocks on a full pipe.
  let stopped = false;
  return {
    base,
    password,
    dir,
    output: () => log,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (exited === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(t);
      }
      if (!process.env.HAVEN_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Launch Debian's headless Chromium. */
export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser context (own cookies) at a laptop-sized viewport, with one page. */
export async function newPage(browser, { viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport, locale: 'en-GB' });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`page error at ${page.url()}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) console.log(`console error at ${page.url()}: ${m.text()}`); });
  return page;
}

/** Sign in through the login form; resolves once the dashboard has loaded. */
export async function login(page, base, user, password) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
    page.click('main button[type=submit]'),
  ]);
  if (resp.status() !== 303) {
    await page.waitForLoadState('load');
    const err = await page.locator('.error-summary').innerText().catch(() => '');
    throw new Error(`login as ${user} failed: POST /login gave ${resp.status()}${err ? ` (${err.replace(/\s+/g, ' ').trim()})` : ''}`);
  }
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.waitForLoadState('load');
}

/** Screenshot the whole page into e2e/screenshots/NAME.png; returns the path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Run `body`; on failure, add the page's URL and a screenshot path to the error.
 * Usage: await withDiagnostics(page, 'search-typo', async () => { ... });
 */
export async function withDiagnostics(page, name, body) {
  try {
    return await body();
  } catch (e) {
    let shot = '(no screenshot)';
    try { shot = await screenshot(page, `FAILED-${name}`); } catch { /* page may be gone */ }
    let url = '(unknown)';
    try { url = page.url(); } catch { /* closed */ }
    const extra = `\n    at page: ${url}\n    screenshot: ${shot}`;
    if (e && typeof e === 'object') {
      // Assertion errors have already formatted their stack: add to both.
      try { e.message = `${e.message}${extra}`; } catch { /* read-only */ }
      if (typeof e.stack === 'string' && !e.stack.includes(extra)) {
        const at = e.stack.search(/\n\s+at /);
        e.stack = at < 0 ? `${e.stack}${extra}` : `${e.stack.slice(0, at)}${extra}${e.stack.slice(at)}`;
      }
    }
    console.log(`FAILED ${name}: page ${url}, screenshot ${shot}`);
    throw e;
  }
}

/** Visible text of the <main> element, whitespace-collapsed. */
export async function mainText(page) {
  return ((await page.locator('main').innerText()) || '').replace(/\s+/g, ' ').trim();
}
