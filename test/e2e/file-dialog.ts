// code-server's simple file dialog (showOpenDialog in a browser), answered by
// typing a path: what Upload…, Download… and Import Image… open. Shared by the
// e2e tests that pick a host path.
import { waitFor } from '../helpers/containers';
import { UI, type Page } from './code-server';

/**
 * Answers the dialog titled `title` with `p` and presses its `ok` button.
 * `folder`: the path is a folder to pick (typed with a trailing '/', the
 * dialog moves into the folder itself, so its button then takes that folder:
 * without it, a quick click could take the start folder instead).
 */
export async function answerFileDialog(page: Page, title: RegExp, p: string, ok: string, folder = true): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.locator('.quick-input-widget', { hasText: title }).waitFor({ timeout: UI });
  // the dialog fills in its start folder on its own, shortly after opening: type once it has
  await waitFor(async () => (await input.inputValue()).startsWith('/'), UI, 'the file dialog\'s start folder');
  const typed = folder ? `${p}/` : p;
  // the dialog's own late fill of its start folder can overwrite ours: wait until the typed
  // path has stayed put for a moment
  await waitFor(async () => {
    if ((await input.inputValue()) !== typed) await input.fill(typed);
    await new Promise((r) => setTimeout(r, 700));
    return (await input.inputValue()) === typed;
  }, UI, `${p} in the file dialog`);
  // the dialog may still be taking in the typed path: press its button until it closes
  const widget = page.locator('.quick-input-widget', { hasText: title });
  await waitFor(async () => {
    if (!(await widget.isVisible())) return true;
    if ((await input.inputValue()) !== typed) { await input.fill(typed); return false; }
    await page.locator('.quick-input-widget .monaco-button', { hasText: ok }).first().click();
    await new Promise((r) => setTimeout(r, 500));
    return !(await widget.isVisible());
  }, UI, `the file dialog accepting ${p}`);
}
