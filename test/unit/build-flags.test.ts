// `nscope build`'s flags from `docker build`, without a helper: --platform
// (this host's only), --label as the LABEL change the helper applies, the RUN
// steps' options picked and checked up front, the refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BuildError } from '../../helper/build/build-error';
import { labelChange } from '../../helper/build/label-change';
import { buildPlatform } from '../../helper/build/platform';
import { runStepOptions } from '../../helper/build/run-step';
import { parseArgs } from '../../helper/cli/args';
import { buildCommand } from '../../helper/cli/build-command';
import { imageLabels, refuseUnsupported, runStepFlags } from '../../helper/cli/build-flags';
import { hostPlatform } from '../../helper/images/oci';
import { applyChanges } from '../../helper/rootfs/commit-change';

const parse = (...argv: string[]) => parseArgs([...argv, '.'], buildCommand.flags);

test('--platform: this host\'s, as pull takes it (normalised by the registry\'s parser); another refused naming both', () => {
  const host = `${hostPlatform().os}/${hostPlatform().architecture}`;
  assert.equal(buildPlatform(undefined), undefined);
  assert.equal(buildPlatform(''), undefined);
  assert.equal(buildPlatform(host), host);
  assert.equal(buildPlatform(host.toUpperCase()), host);
  if (hostPlatform().architecture === 'amd64') {
    assert.equal(buildPlatform('linux/x86_64'), 'linux/amd64');
    assert.equal(buildPlatform('linux/amd64/v1'), 'linux/amd64', 'the baseline variant is the host\'s');
    assert.throws(() => buildPlatform('linux/amd64/v3'), /--platform linux\/amd64\/v3: .* only for this host's platform, linux\/amd64$/);
  }
  const other = hostPlatform().architecture === 'arm64' ? 'linux/amd64' : 'linux/arm64';
  assert.throws(() => buildPlatform(other), (e: Error) => e instanceof BuildError
    && e.message === `--platform ${other}: nscope build runs RUN steps natively (no emulation), so it builds only for this host's platform, ${host}`);
  assert.throws(() => buildPlatform(`windows/${hostPlatform().architecture}`), /--platform windows\//);
  assert.throws(() => buildPlatform('a/b/c/d'), (e: Error) => e instanceof BuildError && /^--platform "a\/b\/c\/d": expected os/.test(e.message));
});

test('--label: one LABEL change, read back by the helper as given (quotes, $, backslashes, newlines literal)', () => {
  assert.equal(labelChange(undefined), undefined);
  assert.equal(labelChange({}), undefined);
  const labels = { a: '1', 'org.example/x-y': `it's "q" $HOME \${X:-y} \\ \`z\``, empty: '', multi: 'line 1\nline 2', eq: '=a=b' };
  const change = labelChange(labels)!;
  assert.match(change, /^LABEL /);
  const cfg = applyChanges({ Env: ['HOME=/root', 'X=x'], Labels: { a: 'old', kept: 'k' } }, [change], 'build');
  assert.deepEqual(cfg.Labels, { ...labels, kept: 'k' });
  assert.throws(() => labelChange({ 'a b': '1' }), /--label "a b": a label's name cannot contain whitespace/);
  assert.throws(() => labelChange({ 'a=b': '1' }), /--label "a=b": a label's name cannot contain =/);
  assert.throws(() => labelChange({ '': '1' }), /needs a name/);
});

test('the RUN steps\' options: only theirs passed on; sizes, CFS numbers, shares and extra hosts checked up front', () => {
  assert.deepEqual(runStepOptions(undefined), {});
  const hostile = { memory: '64m', ulimits: ['nofile=10'], privileged: true, volumes: ['/:/host'], cmd: ['x'], net: 'host' } as never;
  assert.deepEqual(runStepOptions(hostile), { memory: '64m', ulimits: ['nofile=10'] });
  const refused: [object, RegExp][] = [
    [{ memory: '1k' }, /^--memory: 1 KiB is below the minimum of 6 MiB$/],
    [{ memory: 'x' }, /--memory: "x" is not a size/],
    [{ memory: -5 }, /--memory: -5 is not a whole number of bytes/],
    [{ memorySwap: '1g' }, /--memory-swap: needs --memory too/],
    [{ cpuPeriod: '999' }, /--cpu-period/],
    [{ cpuPeriod: '1000001' }, /--cpu-period/],
    [{ cpuQuota: '999' }, /--cpu-quota/],
    [{ cpuShares: '300000' }, /--cpu-shares: "300000" is out of range/],
    [{ shmSize: '-1' }, /--shm-size: "-1" is not a size/],
    [{ addHosts: ['x'] }, /bad format for add-host: "x"/],
    [{ addHosts: ['a b:1.2.3.4'] }, /--add-host: "a b" is not a valid host name/],
  ];
  for (const [o, why] of refused) assert.throws(() => runStepOptions(o), (e: Error) => e instanceof BuildError && why.test(e.message), JSON.stringify(o));
  // the helper's to check: its CPUs, the kernel's ceilings, its cgroups
  assert.deepEqual(runStepOptions({ cpusetCpus: '4096', ulimits: ['nofile=99999999999'], cgroupParent: '../x', addHosts: ['gw:host-gateway'] }),
    { cpusetCpus: '4096', ulimits: ['nofile=99999999999'], cgroupParent: '../x', addHosts: ['gw:host-gateway'] });
});

test('build\'s flags read as run reads them; Docker\'s builder flags accepted or refused in its words', () => {
  const p = parse('-m', '64m', '--memory-swap', '-1', '-c', '512', '--cpu-period', '50000', '--cpu-quota', '25000', '--cpuset-cpus', '0-1', '--cpuset-mems', '0',
    '--cgroup-parent', 'ci/builds', '--shm-size', '1g', '--ulimit', 'nofile=1:2', '--ulimit', 'nproc=10', '--security-opt', 'no-new-privileges', '--add-host', 'a:1.2.3.4',
    '--label', 'k=v', '--label', 'bare', '--iidfile', 'id', '--platform', 'linux/amd64');
  assert.deepEqual(runStepFlags(p), {
    memory: '64m', memorySwap: '-1', cpuShares: '512', cpuPeriod: '50000', cpuQuota: '25000', cpusetCpus: '0-1', cpusetMems: '0',
    cgroupParent: 'ci/builds', shmSize: '1g', ulimits: ['nofile=1:2', 'nproc=10'], securityOpt: ['no-new-privileges'], addHosts: ['a:1.2.3.4'],
  });
  assert.deepEqual(imageLabels(p), { k: 'v', bare: '' });
  assert.deepEqual(runStepFlags(parse()), {});
  assert.equal(imageLabels(parse()), undefined);
  for (const ok of [[], ['--rm=false'], ['--rm', '--force-rm', '--compress', '--cache-from', 'a', '--disable-content-trust'], ['--isolation', 'default'], ['--isolation', 'DEFAULT'], ['--isolation', ''], ['--squash=false'], ['--disable-content-trust=true']]) {
    assert.doesNotThrow(() => refuseUnsupported(parse(...ok)), ok.join(' '));
  }
  assert.throws(() => refuseUnsupported(parse('--isolation', 'hyperv')), /^Error: Invalid isolation: "hyperv" - linux only supports 'default'$/);
  assert.throws(() => refuseUnsupported(parse('--isolation', 'process')), /Invalid isolation: "process"/);
  assert.throws(() => refuseUnsupported(parse('--squash')), /^Error: --squash is not supported/);
  assert.throws(() => refuseUnsupported(parse('--disable-content-trust=false')), /content trust .* is not supported by nscope/);
});
