// Remove Image's question. The helper refuses to remove the last name of an
// image a container uses, and its refusal ends in the CLI's "or use --force",
// which a VS Code user has nowhere to type: the question names the containers
// up front instead and offers the forced removal (the image loses its name and
// stays, unnamed, for them, as `docker rmi --force` does).
import * as vscode from 'vscode';
import type { Connection } from '../connection';
import { UNNAMED } from '../views/images';

/** Asks, then removes `ref` (a name, or the ID of an unnamed image); false when the user cancelled. */
export async function removeImageAsking(conn: Connection, ref: string): Promise<boolean> {
  const images = await conn.request('image.list', {});
  const target = images.find((i) => i.name === ref) ?? images.find((i) => i.id === ref);
  const names = target ? images.filter((i) => i.id === target.id && i.name !== UNNAMED) : [];
  // by name with other names left, the image stays: nothing a container needs goes
  const last = !!target && (target.name !== ref || names.length <= 1);
  const users = last ? (await conn.request('container.list', { all: true })).filter((c) => c.imageId === target!.id).map((c) => c.name) : [];
  if (!users.length) {
    const ok = await vscode.window.showWarningMessage(`Remove the image ${ref}?`, { modal: true }, 'Remove');
    if (ok !== 'Remove') return false;
    await conn.request('image.remove', { ref });
    return true;
  }
  const who = users.length === 1 ? `container ${users[0]}` : `${users.length} containers (${users.slice(0, 5).join(', ')}${users.length > 5 ? ', …' : ''})`;
  const ok = await vscode.window.showWarningMessage(`The image ${ref} is used by ${who}. Remove it anyway?`, {
    modal: true,
    detail: `It loses its name; its layers stay, unnamed, until ${users.length === 1 ? 'that container is' : 'those containers are'} removed. To free them now, remove ${users.length === 1 ? 'the container' : 'the containers'} first.`,
  }, 'Remove Anyway');
  if (ok !== 'Remove Anyway') return false;
  await conn.request('image.remove', { ref, force: true });
  return true;
}
