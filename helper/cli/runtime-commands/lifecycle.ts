// The help of the commands runtime-main.ts runs itself (create, start, state,
// kill, delete, run, ps, list): runc's texts, with nscope's differences said.
import type { RuntimeCommand } from './types';

const ID = 'Where "<container-id>" is your name for the instance of the container.';
const bundle = { name: 'bundle', short: 'b', takesValue: true, help: 'path to the root of the bundle directory, defaults to the current directory' };
const consoleSocket = { name: 'console-socket', takesValue: true, help: "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal" };
const pidFile = { name: 'pid-file', takesValue: true, help: 'specify the file to write the process id to' };
const noPivot = { name: 'no-pivot', help: 'do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk' };
const noNewKeyring = { name: 'no-new-keyring', help: 'do not create a new session keyring for the container' };
const preserveFds = { name: 'preserve-fds', takesValue: true, help: 'Pass N additional file descriptors to the container (stdio + N in total) (default: 0)' };
const format = { name: 'format', short: 'f', takesValue: true, help: 'select one of: table or json (default: "table")' };

export const lifecycleCommands: RuntimeCommand[] = [
  {
    name: 'create', summary: 'create a container', usage: '<container-id>',
    description: `${ID}\n\nThe create command creates an instance of a container for a bundle. The bundle\nis a directory with a specification file named "config.json" and a root\nfilesystem.`,
    flags: [bundle, consoleSocket, pidFile, noPivot, noNewKeyring, preserveFds],
  },
  {
    name: 'start', summary: 'executes the user defined process in a created container', usage: '<container-id>',
    description: `${ID}\n\nThe start command executes the user defined process in a created container.`, flags: [],
  },
  {
    name: 'state', summary: 'output the state of a container', usage: '<container-id>',
    description: `${ID}\n\nThe state command outputs current state information for the\ninstance of a container.`, flags: [],
  },
  {
    name: 'kill', summary: "kill sends the specified signal (default: SIGTERM) to the container's init process", usage: '<container-id> [signal]',
    description: `${ID}\n\nThe optional "signal" is a name (KILL, SIGKILL) or a number (9).`,
    flags: [{ name: 'all', short: 'a', help: 'send the specified signal to all processes inside the container' }],
  },
  {
    name: 'delete', summary: 'delete any resources held by the container often used with detached container', usage: '<container-id>',
    description: ID, flags: [{ name: 'force', short: 'f', help: 'Forcibly deletes the container if it is still running (uses SIGKILL)' }],
  },
  {
    name: 'run', summary: 'create and run a container', usage: '<container-id>',
    description: `${ID}\n\nThe run command creates an instance of a container for a bundle, starts it and,\nunless detached, waits for it and exits with its code.`,
    flags: [bundle, consoleSocket, { name: 'detach', short: 'd', help: "detach from the container's process" }, { name: 'keep', help: 'do not delete the container after it exits' }, pidFile, noPivot, noNewKeyring, preserveFds],
  },
  {
    name: 'ps', summary: 'ps displays the processes running inside a container', usage: '<container-id> [ps options]',
    description: ID, flags: [format], stopAtFirstPositional: true,
  },
  {
    name: 'list', summary: 'lists containers started by nscope-runtime with the given root', usage: '',
    flags: [format, { name: 'quiet', short: 'q', help: 'display only container IDs' }],
  },
];
