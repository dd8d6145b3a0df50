// `nscope-runtime pause` / `resume`: the cgroup freezer (runtime/oci-freeze.ts)
// with runc's rules: only a created or running container pauses, only a
// paused one resumes.
import { conflict } from '../../errors';
import { pauseCgroup, resumeCgroup } from '../../runtime/oci-freeze';
import { containerId, type RuntimeCommand } from './types';

export const pauseCommand: RuntimeCommand = {
  name: 'pause',
  summary: 'pause suspends all processes inside the container',
  usage: '<container-id>',
  description: `The pause command suspends all processes in the instance of the container
(the cgroup freezer).

Use nscope-runtime list to identify instances of containers and their current status.`,
  flags: [],
  async run(ctx, p) {
    const id = containerId(this, p);
    const { state, status } = ctx.rt.live(id);
    if (status !== 'running' && status !== 'created') throw conflict('container not running');
    await pauseCgroup(state.cgroupRel);
    return 0;
  },
};

export const resumeCommand: RuntimeCommand = {
  name: 'resume',
  summary: 'resumes all processes that have been previously paused',
  usage: '<container-id>',
  description: `The resume command resumes all processes in the instance of the container.

Use nscope-runtime list to identify instances of containers and their current status.`,
  flags: [],
  async run(ctx, p) {
    const id = containerId(this, p);
    const { state, status } = ctx.rt.live(id);
    if (status !== 'paused') throw conflict('container not paused');
    resumeCgroup(state.cgroupRel);
    return 0;
  },
};
