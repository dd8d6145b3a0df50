// The images view's title toggle: a layer's children are its own changes or
// the cumulative tree (the image up to that layer). Two commands swap on the
// `nscope.images.cumulative` context key, so the title shows the one that
// switches; the choice is remembered.
import * as vscode from 'vscode';
import type { ImagesProvider } from '../views/images';

const MEMENTO = 'nscope.images.cumulative';

export function registerImageViewCommands(images: ImagesProvider, state: vscode.Memento): vscode.Disposable[] {
  images.setCumulative(state.get<boolean>(MEMENTO, false));
  const set = (on: boolean) => async () => {
    images.setCumulative(on);
    await state.update(MEMENTO, on);
  };
  return [
    vscode.commands.registerCommand('nscope.images.showCumulative', set(true)),
    vscode.commands.registerCommand('nscope.images.showOwnChanges', set(false)),
  ];
}
