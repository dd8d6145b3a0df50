// Images: each method's params and result (the data: ../types/images.ts).
import type { ImageDetailInfo, ImageSummaryInfo } from '../types/images';
import type { RegistryAuth } from '../types/registry';

export interface ImageMethods {
  /** `all`: the build cache's images (helper/build/cache-name.ts) too */
  'image.list': { params: { all?: boolean }; result: ImageSummaryInfo[] };
  /** `platform` (os[/arch[/variant]], `history --platform`): the image must be of it, else "not found" in Docker's words. */
  'image.inspect': { params: { ref: string; platform?: string }; result: ImageDetailInfo };
  /**
   * `file` is a path on the helper's host that the caller itself can read.
   * `platform` (`load --platform`): of an index in the archive, that
   * platform's image; other images of the archive not of it are left out
   * (none of it left: an error).
   */
  'image.import': { params: { file: string; name?: string; platform?: string }; result: ImageSummaryInfo[] };
  'image.host': { params: { name: string; programs?: string[] }; result: ImageSummaryInfo };
  /**
   * `platforms` (`rmi --platform`, at most 16): removed only if the image is
   * of one of them (an image has one platform: it is its only variant), else
   * "not found" in Docker's words. Nothing but the image's own names goes: no
   * other image is ever deleted with it (so `rmi --no-prune` asks nothing of the helper).
   * The result names what went: `untagged` the names taken off, `deleted` the
   * image's ID once nothing of it is left (a container's image forced out stays unnamed).
   */
  'image.remove': { params: { ref: string; force?: boolean; platforms?: string[] }; result: { ref: string; untagged?: string[]; deleted?: string } };
  /** `nscope image tag SOURCE TARGET`: another name for an image */
  'image.tag': { params: { ref: string; name: string }; result: ImageSummaryInfo };
  /**
   * An image of `parent`'s layers with its config changed by `changes`
   * (instructions as `container.commit` takes them), no new layer; with no
   * parent, an empty image on the host's platform: a build's `FROM scratch`.
   */
  'image.create': { params: { name: string; parent?: string; changes?: string[]; message?: string; createdBy?: string; author?: string }; result: ImageSummaryInfo };
  /**
   * `nscope login`: checks the credentials against the registry (its /v2/
   * challenge and token service). The client stores them, not the helper.
   */
  'registry.login': { params: { server: string; auth: RegistryAuth }; result: { status: string; identitytoken?: string } };
}
