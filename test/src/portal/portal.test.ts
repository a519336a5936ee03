import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

/*
 * The README's first command, `npm start`, as a newcomer runs it: the portal answers on
 * localhost, a guest can sign in and sees the catalog. Runs the same script npm would.
 */

const repoRoot = resolve(__dirname, '../../..');
const appUrl = 'http://localhost:3000';
// The same portal as the browser sees it when opened by address rather than by name.
const appUrlByAddress = 'http://127.0.0.1:3000';
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

/** Opens `url`, signing in as guest unless this browser profile already is. */
async function openSignedIn(page: Page, url: string) {
  await page.goto(url);
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.or(page.getByRole('link', { name: 'Fleet' })).first().waitFor({ timeout: 60_000 });
  if (await enter.isVisible()) await enter.click();
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
      await waitForHttp(appUrlByAddress, 30_000, s => s === 200);
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
      // The backend stops its demo fleet before it exits; it must not outlive this test (its
      // output pipes close with this process), so wait for it and kill what is left.
      const until = Date.now() + 30_000;
      while (Date.now() < until && (await fetch(backendUrl).then(() => true, () => false))) {
        await new Promise(r => setTimeout(r, 250));
      }
      try {
        process.kill(-portal.pid, 'SIGKILL');
      } catch {
        // all gone
      }
    }
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }, 60_000);

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

  it('shows the demo fleet and why an instance is not Ready', async () => {
    const page = await browser.newPage();
    try {
      await openSignedIn(page, appUrl);
      await page.getByRole('link', { name: 'Fleet' }).click();
      // The demo fleet's three clusters, connected, and one instance on a failing chart version.
      for (const title of ['Demo Europe 1', 'Demo United States 1', 'Demo Asia Pacific 1']) {
        await page.getByText(title, { exact: true }).first().waitFor({ timeout: 120_000 });
      }
      const failed = page.getByRole('row').filter({ hasText: 'Failed' }).filter({ hasText: 'mattermost' });
      await failed.first().waitFor({ timeout: 120_000 });
      // The row says why, in the words of the deploying controller.
      expect(await failed.first().innerText()).toMatch(/HelmRelease|install|upgrade/i);
    } finally {
      await page.close();
    }
  }, 300_000);

  it('backs an instance up and restores it without leaving its page', async () => {
    const page = await browser.newPage();
    try {
      // The instance's page in the catalog, as any other component's.
      await openSignedIn(page, `${appUrl}/catalog/default/component/demo-eu-1--team-b--vaultwarden/fleet`);
      const operations = page.getByRole('row');
      await page.getByRole('button', { name: /back up/i }).click({ timeout: 120_000 });
      const backup = operations.filter({ hasText: 'Backup' }).filter({ hasText: 'Succeeded' });
      await backup.first().waitFor({ timeout: 120_000 });

      await page.getByRole('button', { name: /^restore$/i }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('radio').first().check();
      // The confirmation names what is overwritten.
      expect(await dialog.innerText()).toMatch(/overwrites the data of vaultwarden in namespace team-b on cluster demo-eu-1/);
      await dialog.getByLabel(/reason/i).fill('checking restores');
      await dialog.getByRole('button', { name: /overwrite/i }).click();
      const restore = operations.filter({ hasText: 'Restore' }).filter({ hasText: 'Succeeded' });
      await restore.first().waitFor({ timeout: 120_000 });
    } finally {
      await page.close();
    }
  }, 300_000);

  it('signs a guest in when the portal is opened as 127.0.0.1', async () => {
    const page = await browser.newPage();
    // A failed guest sign-in asks, in a dialog, whether to fall back to a legacy token.
    const dialogs: string[] = [];
    page.on('dialog', dialog => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    try {
      await page.goto(appUrlByAddress);
      await page.getByRole('button', { name: 'Enter' }).click();
      const entity = page.getByRole('link', { name: 'vWorkspace Fleet', exact: true });
      await entity.waitFor({ timeout: 60_000 }).catch(error => {
        throw new Error(`guest sign-in on ${appUrlByAddress} failed (dialogs: ${JSON.stringify(dialogs)}): ${error}`);
      });
      expect(dialogs).toEqual([]);
      expect(new URL(page.url()).host).toBe('127.0.0.1:3000');
    } finally {
      await page.close();
    }
  }, 120_000);
});
