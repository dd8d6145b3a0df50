// F2 and Delete in the nscope views, as in VS Code's Explorer. A keybinding's
// `when` sees the focused view, not the focused row's contextValue, so each
// key runs one command (package.json's keybindings) whose argument,
// `{ $treeViewId, $focusedTreeItem: true }`, VS Code turns into the view's
// focused row: the row the arrow keys are on, which in a custom tree is not
// the selection. The row picks what its context menu offers for it, by the
// same contextValue patterns as the menus (each view's are its own), so a
// key never does what the menu would not: no Rename of an engine's
// container, no Delete of the default network or of an image's files.
import * as vscode from 'vscode';
import { Node } from '../views/tree';

type Key = 'rename' | 'delete';

const ACTIONS: Record<Key, { item: RegExp; command: string }[]> = {
  rename: [
    { item: /^container\./, command: 'nscope.rename' },
    { item: /^file\.(dir|file)\.container$/, command: 'nscope.renameFile' },
  ],
  delete: [
    { item: /^container\./, command: 'nscope.remove' },
    { item: /^file\.(dir|file)\.container$/, command: 'nscope.deleteFile' },
    { item: /^image(\+|$)/, command: 'nscope.removeImage' },
    { item: /^network(\+|$)/, command: 'nscope.removeNetwork' },
    { item: /^volume(\.anonymous)?$/, command: 'nscope.removeVolume' },
  ],
};

/** The command `key` runs on the row `n`, or undefined where its menu offers none. */
export function keyCommand(key: Key, n: Pick<Node, 'contextValue'> | undefined): string | undefined {
  const item = n?.contextValue;
  if (item === undefined) return undefined;
  return ACTIONS[key].find((a) => a.item.test(item))?.command;
}

export function registerTreeKeys(): vscode.Disposable {
  const run = (key: Key) => async (focused?: unknown) => {
    if (!(focused instanceof Node)) return;
    const command = keyCommand(key, focused);
    // a row with nothing to rename or delete (a limit, a layer): nothing, as the Explorer does on its root
    if (command) await vscode.commands.executeCommand(command, focused);
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand('nscope.keyRename', run('rename')),
    vscode.commands.registerCommand('nscope.keyDelete', run('delete')),
  );
}
