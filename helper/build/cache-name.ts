// The name under which `nscope build` keeps every step's image (its layer
// cache, ./build.ts). Those images are the build's intermediates, as Docker's
// classic builder has: `image.list` leaves them out unless asked for all
// (`nscope images -a`; a build's last image without -t shows as <none>, as
// Docker shows it: ImageStore.listVisible), `system df` counts them as the
// build cache and `builder prune` removes them.
export const BUILD_CACHE_REPOSITORY = 'nscope-build-cache';

/** Whether `name` ("repository:tag") is one of the build cache's images. */
export const isBuildCache = (name: string): boolean => name.startsWith(`${BUILD_CACHE_REPOSITORY}:`);
