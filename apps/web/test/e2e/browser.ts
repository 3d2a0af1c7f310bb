// Chromium and the dashboard's own doors for the end-to-end tests: Debian's chromium, a signed-in
// context per user, tRPC calls and terminal sockets made with a context's session like the
// browser makes them.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { WebSocket } from 'ws';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
}

/** A new context signed in as `username` through the login page (dialogs are accepted). */
export async function signIn(browser: Browser, web: string, username: string, password: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(20_000);
  const page = await ctx.newPage();
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${web}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-user').waitFor();
  return { ctx, page };
}

/** A tRPC mutation (POST) through the dashboard with the context's session. */
export const trpcPost = (ctx: BrowserContext, web: string, proc: string, data: unknown, origin = web) =>
  ctx.request.post(`${web}/api/agent/trpc/${proc}`, { headers: { origin, 'content-type': 'application/json' }, data });

export async function cookieOf(ctx: BrowserContext): Promise<string> {
  return (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
}

/** Opens a terminal socket (exec, or attach) through the dashboard like the browser does;
 * `closed` resolves when it closes; `result.status` is the HTTP status of a refused upgrade. */
export function openTerminal(web: string, cookie: string, id: string, origin = web, extra: object = {}, kind: 'exec' | 'attach' = 'exec') {
  const ws = new WebSocket(`${web.replace(/^http/, 'ws')}/ws/containers/${id}/${kind}`, { headers: { ...(cookie ? { cookie } : {}), origin } });
  const result = { opened: false, status: 0, closeCode: 0 };
  ws.on('open', () => {
    result.opened = true;
    ws.send(JSON.stringify({ cmd: ['sh'], tty: true, rows: 24, cols: 80, ...extra }));
  });
  ws.on('unexpected-response', (_req, res) => {
    result.status = res.statusCode ?? 0;
    ws.terminate();
  });
  ws.on('error', () => {});
  const closed = new Promise<void>((r) => ws.on('close', (code) => ((result.closeCode = code), r())));
  return { ws, result, closed };
}
