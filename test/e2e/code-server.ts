// A real VS Code for the e2e tests: code-server 4.100.3 (VS Code 1.100.3's
// web build, installed by scripts/setup-e2e.sh outside the project's
// node_modules) with this checkout loaded as an extension, driven by
// playwright-core in Debian's headless Chromium. Everything it starts lives
// in one temp dir and one process group, and stop() removes both.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from '../helpers/daemon';

export const E2E_DIR = process.env.NSCOPE_E2E_DIR || '/var/cache/nscope-e2e';
/** where the suites' screenshots and traces go */
export const E2E_OUT = process.env.NSCOPE_E2E_OUT || path.join(REPO, 'dist', 'e2e-out');
/** how long a suite waits for the UI to show something */
export const UI = 30000;
const CODE_SERVER = path.join(E2E_DIR, 'node_modules', '.bin', 'code-server');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Why the e2e tests cannot run here, or undefined when they can. */
export function e2eUnavailable(): string | undefined {
  if (process.env.NSCOPE_E2E === '0') return 'NSCOPE_E2E=0';
  if (process.getuid?.() !== 0) return 'needs root (a real helper)';
  if (!fs.existsSync(CODE_SERVER)) return `no code-server in ${E2E_DIR} (run scripts/setup-e2e.sh)`;
  if (!fs.existsSync(CHROMIUM)) return `no ${CHROMIUM} (run scripts/setup-e2e.sh)`;
  return undefined;
}

// The parts of playwright-core's API the tests use (it is loaded at run time from E2E_DIR).
export interface Locator {
  waitFor(o?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  click(o?: { button?: 'left' | 'right'; timeout?: number }): Promise<void>;
  hover(): Promise<void>;
  focus(): Promise<void>;
  fill(v: string): Promise<void>;
  inputValue(): Promise<string>;
  innerText(): Promise<string>;
  getAttribute(name: string): Promise<string | null>;
  allInnerTexts(): Promise<string[]>;
  isVisible(): Promise<boolean>;
  count(): Promise<number>;
  boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null>;
  dragTo(target: Locator, o?: { timeout?: number }): Promise<void>;
  dispatchEvent(type: string, init?: Record<string, unknown>): Promise<void>;
  first(): Locator;
  locator(sel: string, o?: { hasText?: string | RegExp; has?: Locator }): Locator;
  filter(o: { hasText?: string | RegExp; has?: Locator }): Locator;
}
export interface Page {
  goto(url: string): Promise<unknown>;
  locator(sel: string, o?: { hasText?: string | RegExp; has?: Locator }): Locator;
  keyboard: { press(k: string): Promise<void>; type(t: string): Promise<void> };
  mouse: { move(x: number, y: number, o?: { steps?: number }): Promise<void>; down(): Promise<void>; up(): Promise<void> };
  screenshot(o: { path: string }): Promise<unknown>;
  waitForFunction(fn: string, arg?: unknown, o?: { timeout?: number }): Promise<unknown>;
  evaluate<T = unknown>(expression: string): Promise<T>;
  evaluateHandle(expression: string): Promise<unknown>;
  on(ev: 'pageerror' | 'console', fn: (x: { message?: string; text?: () => string; type?: () => string }) => void): void;
}
interface BrowserContext { pages(): Page[]; newPage(): Promise<Page>; close(): Promise<void>; setDefaultTimeout(ms: number): void }

export interface VsCodeOptions {
  /** the extension's folder (its package.json's publisher.name-version is linked into the extensions dir) */
  extensionDir: string;
  /** a packaged .vsix to install with `code-server --install-extension` instead of linking extensionDir */
  vsix?: string;
  /** user keybindings (keybindings.json): the way to run a command with arguments, as the palette cannot */
  keybindings?: { key: string; command: string; args?: unknown }[];
  /** user settings merged over the quiet defaults */
  settings?: Record<string, unknown>;
  /** screenshots and logs */
  outDir: string;
}

const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'git.enabled': false,
  // the DOM renderer keeps the terminal's text readable from the page
  'terminal.integrated.gpuAcceleration': 'off',
  // rows redrawn only when something happens: a row is never redrawn under a click for its clock
  // (times.test.ts turns the clock on, in a VS Code of its own)
  'nscope.timesRefreshSeconds': 0,
};

export class VsCode {
  private server?: ChildProcess;
  private ctx?: BrowserContext;
  page!: Page;
  readonly log: string[] = [];

  private constructor(readonly tmp: string, readonly opts: VsCodeOptions) {}

  static async start(opts: VsCodeOptions): Promise<VsCode> {
    const vs = new VsCode(fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-vscode-')), opts);
    try {
      await vs.boot();
    } catch (e) {
      await vs.stop();
      throw e;
    }
    return vs;
  }

  private dir(name: string): string {
    const d = path.join(this.tmp, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  }

  private async boot(): Promise<void> {
    const { extensionDir, vsix, keybindings, settings = {}, outDir } = this.opts;
    fs.mkdirSync(outDir, { recursive: true });
    const userData = this.dir('user-data');
    const extensions = this.dir('extensions');
    const workspace = this.dir('workspace');
    // code-server, its extension host, git and Chromium write to $HOME, ~/.config and /tmp unless told otherwise
    const env = {
      ...process.env,
      XDG_DATA_HOME: this.dir('xdg/data'), XDG_CONFIG_HOME: this.dir('xdg/config'), XDG_CACHE_HOME: this.dir('xdg/cache'), TMPDIR: this.dir('tmp'),
    };
    fs.writeFileSync(path.join(this.tmp, 'config.yaml'), 'auth: none\n');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
    if (keybindings) fs.writeFileSync(path.join(userData, 'User', 'keybindings.json'), JSON.stringify(keybindings, null, 2));
    const cli = ['--config', path.join(this.tmp, 'config.yaml'), '--user-data-dir', userData, '--extensions-dir', extensions];
    if (vsix) {
      execFileSync(CODE_SERVER, [...cli, '--install-extension', path.resolve(vsix)], { env, stdio: 'pipe', timeout: 60000 });
    } else {
      const pkg = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
      fs.symlinkSync(path.resolve(extensionDir), path.join(extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`));
    }

    const port = await freePort();
    const logFd = fs.openSync(path.join(outDir, 'code-server.log'), 'w');
    this.server = spawn(CODE_SERVER, [
      ...cli,
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', workspace,
    ], { stdio: ['ignore', logFd, logFd], detached: true, env });
    fs.closeSync(logFd);
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60000;
    for (;;) {
      try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
      if (this.server.exitCode !== null || Date.now() > deadline) throw new Error(`code-server did not come up; see ${outDir}/code-server.log`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const req = createRequire(path.join(E2E_DIR, 'package.json'));
    const { chromium } = req('playwright-core') as { chromium: { launchPersistentContext(dir: string, o: object): Promise<BrowserContext> } };
    this.ctx = await chromium.launchPersistentContext(this.dir('chromium'), {
      executablePath: CHROMIUM, env, headless: true, viewport: { width: 1400, height: 860 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    this.ctx.setDefaultTimeout(30000);
    this.page = this.ctx.pages()[0] ?? await this.ctx.newPage();
    this.page.on('pageerror', (e) => this.log.push(`pageerror: ${e.message}`));
    this.page.on('console', (m) => { if (m.type?.() === 'error') this.log.push(`console: ${m.text?.()}`); });
    await this.page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  }

  /** Shows the nscope view (its activity-bar icon), the side bar `width` pixels wide if given. */
  async openNscope(width?: number): Promise<void> {
    const icon = this.page.locator('.part.activitybar [aria-label^="nscope"]').first();
    await icon.waitFor({ timeout: 60000 });
    await icon.click();
    if (width) await this.resizeSidebar(width);
  }

  /**
   * Runs a command through the palette by its title. Retried: the palette
   * lists the commands whose `when` holds as it opens, and one that needs a
   * connected helper (nscope.connectedAny) shows only once the extension has
   * connected, which a palette opened right after start has not seen.
   */
  async runCommand(title: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    const deadline = Date.now() + 30000;
    for (;;) {
      await this.page.keyboard.press('F1');
      await input.waitFor();
      await input.fill(`>${title}`);
      try {
        await row.waitFor({ timeout: 3000 });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await this.page.keyboard.press('Escape');
      }
    }
    await this.page.keyboard.press('Enter');
  }

  /** A row of a view in the side bar; `view` is its title ("Containers"). */
  row(view: string, text: string | RegExp): Locator {
    return this.pane(view).locator('.monaco-list-row', { hasText: text }).first();
  }

  /**
   * Right-clicks `row` and chooses `item` from its context menu. Retried: a
   * menu ignores a click right as it opens, and a tree redrawn under the
   * pointer (a refresh after the last step) can open the menu of another row
   * or of the pane, which lacks `item`: that menu is closed and the row
   * right-clicked again.
   */
  async contextMenu(row: Locator, item: string, beforeClick?: () => void): Promise<void> {
    const menu = this.page.locator('.context-view .monaco-menu');
    const deadline = Date.now() + 30000;
    for (;;) {
      if (!(await menu.count())) await row.click({ button: 'right' });
      const entry = menu.locator('.action-item', { hasText: item }).first();
      try {
        await entry.waitFor({ timeout: 5000 });
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await this.page.keyboard.press('Escape');
        await menu.first().waitFor({ state: 'detached', timeout: 2000 }).catch(() => undefined);
        continue;
      }
      await entry.hover();
      beforeClick?.();
      await entry.click();
      try {
        await menu.first().waitFor({ state: 'detached', timeout: 2000 });
        return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
    }
  }

  /**
   * Opens a modal question with `open` (a context menu's item) and returns
   * it once it shows `text`. Retried: a tree redrawn by an event right as the
   * item is clicked (a container's die, then its stop) can close the menu
   * without running the command, and nothing asks.
   */
  async dialog(open: () => Promise<void>, text: string | RegExp): Promise<Locator> {
    return this.openUntilShown(open, this.page.locator('.monaco-dialog-box', { hasText: text }), false);
  }

  /**
   * Runs `act` (a context menu's item with no question after it: Pause)
   * until `done` says it took effect (5 s a try, 30 s in all). Retried as
   * dialog() is: a tree redrawn as the item is clicked can close the menu
   * without running the command.
   */
  async actUntil(act: () => Promise<void>, done: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 30000;
    for (;;) {
      await act();
      const tryEnd = Date.now() + 5000;
      while (Date.now() < tryEnd) {
        if (await done()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    }
  }

  /** Runs `open` until `shown` is visible (5 s a try, 30 s in all); `escape`: Escape closes what a try left half-open. */
  private async openUntilShown(open: () => Promise<void>, shown: Locator, escape: boolean): Promise<Locator> {
    const deadline = Date.now() + 30000;
    for (;;) {
      await open();
      try {
        await shown.waitFor({ state: 'visible', timeout: 5000 });
        return shown;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        if (escape) await this.page.keyboard.press('Escape');
      }
    }
  }

  /**
   * Opens a quick pick with `open` and chooses its row `label`. Retried: a
   * pick closes when focus leaves it, and a view refreshing right as the pick
   * opens (a tree redrawn after the last step) can take focus back, leaving
   * the pick's rows in the DOM but hidden.
   */
  async pick(open: () => Promise<void>, label: string): Promise<void> {
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
    const deadline = Date.now() + 30000;
    for (;;) {
      await open();
      try {
        await row.waitFor({ state: 'visible', timeout: 5000 });
        await row.click({ timeout: 5000 });
        return;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await this.page.keyboard.press('Escape');
      }
    }
  }

  /**
   * Opens an input box with `open` and returns it once it shows. Retried as
   * pick() is: a box the workbench hid as it opened (a second menu click, a
   * view taking the focus back) is closed with Escape and opened again.
   */
  async input(open: () => Promise<void>): Promise<Locator> {
    return this.openUntilShown(open, this.page.locator('.quick-input-widget .quick-input-box input'), true);
  }

  /** Drags the side bar's edge so it is `width` pixels wide. */
  async resizeSidebar(width: number): Promise<void> {
    const box = await this.page.locator('.part.sidebar').boundingBox();
    if (!box) return;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(box.x + box.width + 1, y);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width, y, { steps: 5 });
    await this.page.mouse.up();
  }

  /**
   * The decoration badge (A, M, D) on the first row of `view` whose text
   * matches `text` (as row() matches it): '' for a row without one, undefined
   * while no such row is drawn. The letter is a CSS ::after of the label's
   * decoration class, so it is read from the computed style.
   */
  async badge(view: string, text: RegExp): Promise<string | undefined> {
    return this.page.evaluate<string | undefined>(`(() => {
      const re = new RegExp(${JSON.stringify(text.source)}, ${JSON.stringify(text.flags)});
      const pane = [...document.querySelectorAll('.part.sidebar .pane')].find((p) => p.querySelector('.pane-header')?.textContent.includes(${JSON.stringify(view)}));
      const row = pane && [...pane.querySelectorAll('.monaco-list-row')].find((r) => re.test(r.textContent));
      if (!row) return undefined;
      for (const el of row.querySelectorAll('[class*="monaco-decoration"]')) {
        const c = getComputedStyle(el, '::after').content;
        if (c && c !== 'none' && c !== 'normal') return c.replace(/^"(.*)"$/, '$1');
      }
      return '';
    })()`);
  }

  /** Waits until the row of `view` matching `text` shows the badge `want` ('' for none); a timeout names what it showed. */
  async waitForBadge(view: string, text: RegExp, want: string, timeoutMs = UI): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let had: string | undefined;
    while ((had = await this.badge(view, text)) !== want) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${want ? `the ${want} badge` : 'no badge'} on the ${view} row ${text}: it shows ${had === undefined ? 'no such row' : had ? `the ${had} badge` : 'no badge'}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  pane(view: string): Locator {
    return this.page.locator('.part.sidebar .pane', { has: this.page.locator('.pane-header', { hasText: view }) }).first();
  }

  /** The notifications, the panel's text and the side bar's rows, for a failure's message (a screenshot CI does not keep). */
  async workbenchText(): Promise<string> {
    const text = async (sel: string) => (await this.page.locator(sel).allInnerTexts()).map((t) => t.trim()).filter(Boolean).join('\n');
    const parts = [
      ['notifications', await text('.notification-list-item-message')],
      ['panel', await text('.part.panel .view-lines')],
      ['side bar', await text('.part.sidebar .pane')],
    ];
    return parts.filter(([, t]) => t).map(([k, t]) => `[${k}]\n${t.slice(-3000)}`).join('\n');
  }

  async screenshot(name: string): Promise<string> {
    const file = path.join(this.opts.outDir, `${name}.png`);
    await this.page.mouse.move(1000, 300); // no hover tooltip in the picture
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Closes Chromium, stops code-server's whole process group, removes the temp dir. */
  async stop(): Promise<void> {
    await this.ctx?.close().catch(() => undefined);
    this.ctx = undefined;
    const s = this.server;
    if (s && s.exitCode === null && s.signalCode === null) {
      const gone = new Promise((r) => s.once('exit', r));
      try { process.kill(-s.pid!, 'SIGTERM'); } catch { /* gone */ }
      const t = setTimeout(() => { try { process.kill(-s.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5000);
      await gone;
      clearTimeout(t);
    }
    // the extension host and file watcher may outlive the server by a moment
    if (s?.pid) await waitGroupGone(s.pid, 5000);
    if (this.log.length) fs.writeFileSync(path.join(this.opts.outDir, 'browser.log'), this.log.join('\n') + '\n');
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

async function waitGroupGone(pgid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try { process.kill(-pgid, 0); } catch { return; }
    if (Date.now() > deadline) { try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ } return; }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A test whose failure leaves a screenshot of the workbench (dist/e2e-out/failure-NAME.png). */
export function screenshotOnFailure(test: (name: string, fn: () => Promise<void>) => unknown, vs: () => VsCode | undefined) {
  return (name: string, fn: () => Promise<void>) => test(name, async () => {
    try {
      await fn();
    } catch (e) {
      const v = vs();
      await v?.screenshot(`failure-${name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => undefined);
      // what the workbench said, in the failure itself: CI keeps the test's output, not the screenshot
      const said = await v?.workbenchText().catch(() => '');
      if (said && e instanceof Error) e.message += `\n--- the workbench at the failure ---\n${said}`;
      throw e;
    }
  });
}

/** A suite's end: the last screenshot, VS Code stopped, then the helper's clean-up, which must leave nothing. */
export async function endSuite(vs: VsCode | undefined, daemon: { cleanup(): Promise<string[]> } | undefined, shot: string): Promise<string[]> {
  if (vs) {
    await vs.screenshot(shot).catch(() => undefined);
    await vs.stop();
  }
  return daemon ? daemon.cleanup() : [];
}
