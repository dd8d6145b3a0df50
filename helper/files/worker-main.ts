// dist/files-worker.js: one copy into or out of a container (./worker.ts).
// The job is the only argument, or — a standby started ahead of its job
// (./worker-process.ts) — one line on fd 4; with none (the daemon gone), it ends.
import { Socket } from 'net';
import { native } from '../native';
import { runJob, type FilesJob } from './worker';

function start(text: string): void {
  let job: FilesJob;
  try {
    job = JSON.parse(text) as FilesJob;
  } catch {
    process.stderr.write('files-worker: a job (JSON) is expected as the only argument or on fd 4\n');
    process.exit(2);
  }
  void runJob(job);
}

// stdin is made before the root changes (its stream machinery is loaded lazily), the addon too
void process.stdin;
native();
if (process.argv[2] !== undefined) start(process.argv[2]);
else {
  const jobPipe = new Socket({ fd: 4, readable: true, writable: false });
  let text = '';
  jobPipe.setEncoding('utf8');
  jobPipe.on('data', (d: string) => { text += d; });
  jobPipe.on('error', () => process.exit(0));
  jobPipe.on('end', () => {
    jobPipe.destroy();
    if (!text.trim()) process.exit(0);
    start(text);
  });
}
