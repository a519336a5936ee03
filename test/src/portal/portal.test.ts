import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';

/*
 * The README's first command, `npm start`, as a newcomer runs it: the portal answers on
 * localhost, a guest can sign in and sees the catalog. Runs the same script npm would.
 */

const repoRoot = resolve(__dirname, '../../..');
const appUrl = 'http://localhost:3000';
const backendUrl = 'http://localhost:7007';

async function waitForHttp(url: string, deadlineMs: number, accept = (status: number) => status < 500) {
  const until = Date.now() + deadlineMs;
  let last = 'no answer';
  while (Date.now() < until) {
    try {
      const response = await fetch(url);
      if (accept(response.status)) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer in time (${last})`);
}

describe('the portal started with npm start', () => {
  let portal: ChildProcess;
  let browser: BrowserContext;
  let profileDir: string;
  const output: string[] = [];

  beforeAll(async () => {
    // Another portal on these ports would answer instead of ours and hide a broken start.
    for (const url of [appUrl, backendUrl]) {
      const taken = await fetch(url).then(() => true, () => false);
      if (taken) throw new Error(`${url} is already in use: stop whatever listens there first`);
    }
    portal = spawn('npm', ['start'], {
      cwd: repoRoot,
      env: { ...process.env, BROWSER: 'none', NODE_ENV: 'development' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    portal.stdout!.on('data', chunk => output.push(String(chunk)));
    portal.stderr!.on('data', chunk => output.push(String(chunk)));
    try {
      await waitForHttp(`${backendUrl}/.backstage/health/v1/readiness`, 150_000, s => s === 200);
      await waitForHttp(appUrl, 150_000, s => s === 200);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- npm start output ---\n${output.join('').slice(-4000)}`);
    }
    profileDir = mkdtempSync(join(tmpdir(), 'fleet-portal-chromium-'));
    // A fresh profile per run; Playwright owns --user-data-dir through this call.
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 320_000);

  afterAll(async () => {
    await browser?.close();
    if (portal?.pid) {
      try {
        process.kill(-portal.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('signs a guest in and shows this project in the catalog', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(appUrl);
      await page.getByRole('button', { name: 'Enter' }).click();
      // The landing page is the catalog, listing every component.
      const entity = page.getByRole('link', { name: 'vWorkspace Fleet', exact: true });
      await entity.waitFor({ timeout: 60_000 });
      await entity.click();
      await page.waitForURL(/\/catalog\/default\/component\/vworkspace-fleet/);
      expect(await page.title()).toContain('vWorkspace Fleet');
    } finally {
      await page.close();
    }
  }, 120_000);
});
