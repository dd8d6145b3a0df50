// Which engine owns a container nscope-runtime runs, guessed from where the
// engine keeps it: the runtime's --root and the bundle path are the only
// trace an engine leaves in the runtime's own state. Docker 20.10 drives its
// runtimes through its own containerd in namespace "moby"; Podman's bundles are
// its containers' userdata directories.
import type { ContainerEngine, EngineName } from '../protocol/types';

/** The lifecycle verbs that are the engine's own, as nscope names them. */
export type EngineVerb = 'start' | 'stop' | 'kill' | 'remove' | 'restart' | 'commit' | 'exec' | 'attach' | 'resize' | 'pause' | 'unpause' | 'rename';

const LABEL: Record<EngineName, string> = { docker: 'Docker', containerd: 'containerd', podman: 'Podman', 'nscope-runtime': 'nscope-runtime' };

export function engineOf(root: string, bundle: string): ContainerEngine {
  if (/\/overlay-containers\/[^/]+\/userdata$/.test(bundle)) return { name: 'podman', root, command: 'podman' };
  const task = /\/io\.containerd\.runtime\.v[12]\.(?:task|linux)\/([^/]+)\/[^/]+$/.exec(bundle);
  const ns = task?.[1] ?? (/\/runtime-[^/]+\/moby$/.test(root) ? 'moby' : undefined);
  if (ns === 'moby') return { name: 'docker', root, namespace: ns, command: 'docker' };
  // containerd's shim gives the runtime --root <runc root>/<namespace>
  if (task) return { name: 'containerd', root, namespace: ns, command: `ctr -n ${ns}` };
  return { name: 'nscope-runtime', root, command: `nscope-runtime --root ${root}` };
}

/** How the container is called in its engine's commands (Docker and Podman take the short id). */
export function engineRef(e: ContainerEngine, id: string): string {
  return e.name === 'docker' || e.name === 'podman' ? id.slice(0, 12) : id;
}

/** The engine's command for `verb`, e.g. "docker stop 0123456789ab", "ctr -n k8s.io task kill web". */
export function engineCommand(e: ContainerEngine, verb: EngineVerb, id: string): string {
  const ref = engineRef(e, id);
  switch (e.name) {
    case 'docker': case 'podman': {
      const v = { remove: 'rm', resize: 'attach', exec: 'exec -it', attach: 'attach' } as Partial<Record<EngineVerb, string>>;
      return `${e.command} ${v[verb] ?? verb} ${ref}`;
    }
    case 'containerd': {
      const v: Record<EngineVerb, string> = {
        start: 'task start', stop: 'task kill', kill: 'task kill -s SIGKILL', remove: 'task rm', restart: 'task kill', commit: 'snapshot commit',
        exec: 'task exec -t --exec-id shell', attach: 'task attach', resize: 'task attach',
        pause: 'task pause', unpause: 'task resume', rename: 'container info',
      };
      return `${e.command} ${v[verb]} ${ref}`;
    }
    default: {
      const v = { stop: 'kill', remove: 'delete', restart: 'kill', commit: 'state', resize: 'exec', attach: 'exec', unpause: 'resume', rename: 'state' } as Partial<Record<EngineVerb, string>>;
      return `${e.command} ${v[verb] ?? verb} ${ref}`;
    }
  }
}

/** "container 0123456789ab belongs to Docker: use docker stop 0123456789ab" */
export function refusal(e: ContainerEngine, verb: EngineVerb, id: string): string {
  return `container ${engineRef(e, id)} belongs to ${LABEL[e.name]}: use ${engineCommand(e, verb, id)}`;
}

export const engineLabel = (e: ContainerEngine) => LABEL[e.name];
