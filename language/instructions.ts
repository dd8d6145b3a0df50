// What each Containerfile instruction is: its flags, a line of syntax and a
// short explanation (hover, completion), in this project's own words.

export interface InstructionDoc {
  syntax: string;
  doc: string;
  flags: string[];
  /** a snippet for completion (VS Code's $1 placeholders) */
  snippet: string;
}

export const INSTRUCTIONS: Record<string, InstructionDoc> = {
  FROM: { syntax: 'FROM [--platform=PLATFORM] IMAGE[:TAG|@DIGEST] [AS NAME]', doc: 'Starts a build stage on a base image (a local image, `scratch`, or one pulled from a registry). `AS NAME` lets later stages copy from it.', flags: ['platform'], snippet: 'FROM ${1:image}' },
  RUN: { syntax: 'RUN COMMAND  |  RUN ["EXECUTABLE", "ARG", …]', doc: 'Runs a command in a container on the current layers and keeps what it changed as a new layer. The shell form runs through `SHELL` (`/bin/sh -c` by default).', flags: ['mount', 'network', 'security'], snippet: 'RUN ${1:command}' },
  CMD: { syntax: 'CMD ["EXECUTABLE", "ARG", …]  |  CMD COMMAND', doc: 'The default command of a container of the image (the arguments of `ENTRYPOINT` when there is one). Only the last CMD counts.', flags: [], snippet: 'CMD ["${1:executable}"]' },
  LABEL: { syntax: 'LABEL KEY=VALUE [KEY=VALUE …]', doc: 'Adds metadata to the image\'s config.', flags: [], snippet: 'LABEL ${1:key}="${2:value}"' },
  EXPOSE: { syntax: 'EXPOSE PORT[/tcp|/udp] …', doc: 'Records the ports the program listens on (`-P` publishes them). It opens nothing by itself.', flags: [], snippet: 'EXPOSE ${1:80}' },
  ENV: { syntax: 'ENV KEY=VALUE [KEY=VALUE …]', doc: 'Sets environment variables for the following instructions and for containers of the image.', flags: [], snippet: 'ENV ${1:KEY}=${2:value}' },
  ADD: { syntax: 'ADD [--chown=U:G] [--chmod=MODE] SRC … DEST', doc: 'Like COPY, and a local tar archive is unpacked at DEST; a URL is downloaded.', flags: ['chown', 'chmod', 'checksum', 'keep-git-dir', 'link'], snippet: 'ADD ${1:src} ${2:dest}' },
  COPY: { syntax: 'COPY [--from=STAGE|IMAGE] [--chown=U:G] [--chmod=MODE] SRC … DEST', doc: 'Copies files from the build context (or from another stage with `--from`) into the image as a new layer.', flags: ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'], snippet: 'COPY ${1:src} ${2:dest}' },
  ENTRYPOINT: { syntax: 'ENTRYPOINT ["EXECUTABLE", "ARG", …]  |  ENTRYPOINT COMMAND', doc: 'The program a container of the image runs; `CMD` (or the run\'s arguments) are appended to the exec form.', flags: [], snippet: 'ENTRYPOINT ["${1:executable}"]' },
  VOLUME: { syntax: 'VOLUME ["/PATH", …]  |  VOLUME /PATH …', doc: 'Marks paths that get a volume when a container starts (an anonymous one unless `-v` names one).', flags: [], snippet: 'VOLUME ${1:/data}' },
  USER: { syntax: 'USER USER[:GROUP]', doc: 'The user (and group) the following RUN instructions and the containers run as.', flags: [], snippet: 'USER ${1:user}' },
  WORKDIR: { syntax: 'WORKDIR /PATH', doc: 'The working directory of the following instructions and of containers; made if missing.', flags: [], snippet: 'WORKDIR ${1:/app}' },
  ARG: { syntax: 'ARG NAME[=DEFAULT]', doc: 'A build argument (`--build-arg NAME=VALUE`). Before the first FROM it is usable in FROM lines; inside a stage from where it is declared on.', flags: [], snippet: 'ARG ${1:NAME}' },
  ONBUILD: { syntax: 'ONBUILD INSTRUCTION', doc: 'An instruction run later, when another build uses this image as its base.', flags: [], snippet: 'ONBUILD ${1:instruction}' },
  STOPSIGNAL: { syntax: 'STOPSIGNAL SIGNAL', doc: 'The signal `stop` sends first (SIGTERM by default), by name or number.', flags: [], snippet: 'STOPSIGNAL ${1:SIGTERM}' },
  HEALTHCHECK: { syntax: 'HEALTHCHECK [--interval=D] [--timeout=D] [--start-period=D] [--retries=N] CMD COMMAND  |  HEALTHCHECK NONE', doc: 'How to tell that a container of the image is healthy (recorded in the image\'s config).', flags: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'], snippet: 'HEALTHCHECK CMD ${1:command}' },
  SHELL: { syntax: 'SHELL ["EXECUTABLE", "ARG", …]', doc: 'The shell the shell form of RUN, CMD and ENTRYPOINT runs through (JSON form only).', flags: [], snippet: 'SHELL ["${1:/bin/sh}", "-c"]' },
  MAINTAINER: { syntax: 'MAINTAINER NAME', doc: 'Deprecated: use `LABEL org.opencontainers.image.authors="NAME"`.', flags: [], snippet: 'MAINTAINER ${1:name}' },
};

/** Build arguments every build knows without an ARG line before their use (BuildKit's). */
export const PREDEFINED_ARGS = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
]);

/** Edit distance (for "did you mean"): small strings only. */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

export function closest(word: string): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of Object.keys(INSTRUCTIONS)) {
    const dd = distance(word.toUpperCase(), k);
    if (dd < bestD) { best = k; bestD = dd; }
  }
  return best;
}
