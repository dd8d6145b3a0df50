// The JSON types of a bundle's config.json, checked before anything reads it.
// runc refuses a field of the wrong type when it unmarshals the file ("cannot
// unmarshal number into ... process.env of type []string"); without this check
// the same file fails deep inside nscope with a JavaScript message ("number 5
// is not iterable") or, worse, means something else (args "sh" as a string).
// Only the fields nscope-runtime reads are described; the rest pass as runc
// passes unknown fields.

type Shape =
  | 'string' | 'boolean' | 'number' | 'int' | 'any'
  | { array: Shape }
  | { map: Shape }
  | { object: Record<string, Shape> };

const strings: Shape = { array: 'string' };
const ints: Shape = { array: 'int' };
// (each hook's own fields: hooks.ts's checkHooks, in its own words)
const hookList: Shape = { array: 'any' };
const idMap: Shape = { array: { object: { containerID: 'int', hostID: 'int', size: 'int' } } };

const PROCESS: Shape = {
  object: {
    terminal: 'boolean',
    consoleSize: { object: { height: 'int', width: 'int' } },
    user: { object: { uid: 'int', gid: 'int', umask: 'int', additionalGids: ints, username: 'string' } },
    args: strings,
    commandLine: 'string',
    env: strings,
    cwd: 'string',
    capabilities: { object: { bounding: strings, effective: strings, inheritable: strings, permitted: strings, ambient: strings } },
    rlimits: { array: { object: { type: 'string', hard: 'number', soft: 'number' } } },
    noNewPrivileges: 'boolean',
    apparmorProfile: 'string',
    oomScoreAdj: 'int',
    selinuxLabel: 'string',
  },
};

const SPEC: Shape = {
  object: {
    ociVersion: 'string',
    process: PROCESS,
    root: { object: { path: 'string', readonly: 'boolean' } },
    hostname: 'string',
    domainname: 'string',
    mounts: { array: { object: { destination: 'string', type: 'string', source: 'string', options: strings, uidMappings: idMap, gidMappings: idMap } } },
    hooks: { object: { prestart: hookList, createRuntime: hookList, createContainer: hookList, startContainer: hookList, poststart: hookList, poststop: hookList } },
    annotations: { map: 'string' },
    linux: {
      object: {
        namespaces: { array: { object: { type: 'string', path: 'string' } } },
        uidMappings: idMap,
        gidMappings: idMap,
        timeOffsets: { map: { object: { secs: 'int', nanosecs: 'int' } } },
        devices: { array: { object: { type: 'string', path: 'string', major: 'int', minor: 'int', fileMode: 'int', uid: 'int', gid: 'int' } } },
        cgroupsPath: 'string',
        resources: { object: {} },
        rootfsPropagation: 'string',
        seccomp: { object: { defaultAction: 'string', architectures: strings, flags: strings, syscalls: { array: { object: { names: strings, action: 'string' } } } } },
        sysctl: { map: 'string' },
        maskedPaths: strings,
        readonlyPaths: strings,
        mountLabel: 'string',
      },
    },
  },
};

function describe(shape: Shape): string {
  if (typeof shape === 'string') return shape === 'int' ? 'an integer' : shape === 'boolean' ? 'a boolean' : `a ${shape}`;
  if ('array' in shape) return typeof shape.array === 'string' ? `an array of ${shape.array === 'int' ? 'integers' : `${shape.array}s`}` : 'an array';
  return 'an object';
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? `a ${typeof v}` : typeof v} ${JSON.stringify(v)?.slice(0, 40) ?? ''}`.trim();
}

/** The first field of `v` whose JSON type is not `shape`'s: "process.env must be an array of strings, not a number 5". */
function mismatch(v: unknown, shape: Shape, at: string): string | undefined {
  // null is Go's zero value: runc takes it as the field being absent
  if (v === null || v === undefined || shape === 'any') return undefined;
  const wrong = () => `${at} must be ${describe(shape)}, not ${jsonType(v)}`;
  if (typeof shape === 'string') {
    if (shape === 'int') return typeof v === 'number' && Number.isInteger(v) ? undefined : wrong();
    return typeof v === shape ? undefined : wrong();
  }
  if ('array' in shape) {
    if (!Array.isArray(v)) return wrong();
    for (let i = 0; i < v.length; i++) {
      // an element is never null in a Go []string: refuse it as runc would
      const m = v[i] === null && typeof shape.array === 'string' && shape.array !== 'any' ? `${at}[${i}] must be ${describe(shape.array)}, not null` : mismatch(v[i], shape.array, `${at}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (typeof v !== 'object' || Array.isArray(v)) return wrong();
  const o = v as Record<string, unknown>;
  if ('map' in shape) {
    for (const [k, x] of Object.entries(o)) {
      const m = mismatch(x, shape.map, `${at}.${k}`);
      if (m) return m;
    }
    return undefined;
  }
  for (const [k, s] of Object.entries(shape.object)) {
    const m = mismatch(o[k], s, at ? `${at}.${k}` : k);
    if (m) return m;
  }
  return undefined;
}

/** What is wrong with the types of a parsed config.json, or undefined. */
export function specTypeError(spec: unknown): string | undefined {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return `the file must hold a JSON object, not ${jsonType(spec)}`;
  return mismatch(spec, SPEC, '');
}
