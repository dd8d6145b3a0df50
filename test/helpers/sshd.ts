// A private OpenSSH server for the several-hosts tests (scripts/setup-ssh.sh
// installs it): on 127.0.0.1 and a free port, its own host key, config,
// authorized key and pid file in a temp dir; a client config (-F) with the
// key and a known_hosts that holds exactly that host key. stop() kills it and
// removes the dir.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './registry';

export const SSHD = '/usr/sbin/sshd';

export function sshdUnavailable(): string | false {
  return fs.existsSync(SSHD) && fs.existsSync('/usr/bin/ssh') ? false : 'OpenSSH is not installed (scripts/setup-ssh.sh)';
}

export interface TestSshd { port: number; dir: string; clientConfig: string; stop(): Promise<void> }

export async function startSshd(): Promise<TestSshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-sshd-'));
  const key = (name: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path.join(dir, name)]);
  key('host_key');
  key('client_key');
  fs.copyFileSync(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  const port = await freePort();
  fs.mkdirSync('/run/sshd', { recursive: true });
  fs.writeFileSync(path.join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${path.join(dir, 'host_key')}`, `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`, 'StrictModes no', 'UsePAM no', 'PasswordAuthentication no',
    'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password', 'PrintMotd no', 'LogLevel ERROR', '',
  ].join('\n'));
  const hostPub = fs.readFileSync(path.join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  fs.writeFileSync(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  const clientConfig = path.join(dir, 'ssh_config');
  fs.writeFileSync(clientConfig, [
    'Host *', `  IdentityFile ${path.join(dir, 'client_key')}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${path.join(dir, 'known_hosts')}`,
    '  StrictHostKeyChecking yes', '  GlobalKnownHostsFile /dev/null', '  LogLevel ERROR', '',
  ].join('\n'));
  const proc: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => { log += d; });
  const deadline = Date.now() + 10000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`sshd exited: ${log}`);
    const up = await new Promise<boolean>((r) => { const s = net.connect(port, '127.0.0.1'); s.once('connect', () => { s.destroy(); r(true); }); s.once('error', () => r(false)); });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`sshd did not listen: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port, dir, clientConfig,
    stop: async () => {
      if (proc.exitCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await gone;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
