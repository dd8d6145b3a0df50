// Images: each method's params and result (the data: ../types/images.ts).
import type { ImageDetailInfo, ImageSummaryInfo } from '../types/images';
import type { RegistryAuth } from '../types/registry';

export interface ImageMethods {
  /** `all`: the build cache's images (helper/build/cache-name.ts) too */
  'image.list': { params: { all?: boolean }; result: ImageSummaryInfo[] };
  'image.inspect': { params: { ref: string }; result: ImageDetailInfo };
  /** `file` is a path on the helper's host that the caller itself can read. */
  'image.import': { params: { file: string; name?: string }; result: ImageSummaryInfo[] };
  'image.host': { params: { name: string; programs?: string[] }; result: ImageSummaryInfo };
  'image.remove': { params: { ref: string; force?: boolean }; result: { ref: string } };
  /** `nscope image tag SOURCE TARGET`: another name for an image */
  'image.tag': { params: { ref: string; name: string }; result: ImageSummaryInfo };
  /**
   * An image of `parent`'s layers with its config changed by `changes`
   * (instructions as `container.commit` takes them), no new layer; with no
   * parent, an empty image on the host's platform: a build's `FROM scratch`.
   */
  'image.create': { params: { name: string; parent?: string; changes?: string[]; message?: string }; result: ImageSummaryInfo };
  /**
   * `nscope login`: checks the credentials against the registry (its /v2/
   * challenge and token service). The client stores them, not the helper.
   */
  'registry.login': { params: { server: string; auth: RegistryAuth }; result: { status: string; identitytoken?: string } };
}
