// dist/files-worker.js: one copy into or out of a container (./worker.ts).
import { runJob, type FilesJob } from './worker';

let job: FilesJob;
try {
  job = JSON.parse(process.argv[2] ?? '') as FilesJob;
} catch {
  process.stderr.write('files-worker: a job (JSON) is expected as the only argument\n');
  process.exit(2);
}
// stdin is made before the root changes (its stream machinery is loaded lazily)
void process.stdin;
void runJob(job);
