// Which files are Containerfiles, in one place: Build Image…'s search of the
// workspace and the language client's document selector (VS Code's
// `dockerfile` language covers most of them; this catches the rest, e.g. a
// Dockerfile.dev that no other extension claimed). Globs are case-sensitive,
// so both spellings of the suffixes are listed. package.json's menus say the
// same with a regex on resourceFilename.
export const CONTAINERFILE_GLOB = '**/{Containerfile,Dockerfile,*.containerfile,*.dockerfile,*.Containerfile,*.Dockerfile,Containerfile.*,Dockerfile.*}';

/** A Containerfile's or Dockerfile's name, as the menus' `resourceFilename` pattern has it (package.json). */
export const CONTAINERFILE = /^(Containerfile|Dockerfile)$|\.(containerfile|dockerfile)$|^(Containerfile|Dockerfile)\./i;
