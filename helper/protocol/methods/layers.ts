// Layers of an image, and commit: each method's params and result (the data:
// ../types/layers.ts; export is a byte stream, see ../types/streams.ts).
import type { CommitParams, CommitResult, ImageLayersResult, LayerChangesResult, LayerRef, LayerTreeResult, Page } from '../types/layers';

export interface LayerMethods {
  'image.layers': { params: { ref: string }; result: ImageLayersResult };
  'image.layerChanges': { params: { ref: string; layer: LayerRef } & Page; result: LayerChangesResult };
  /** One directory of the merged tree as the image is up to (and with) `layer`. */
  'image.layerTree': { params: { ref: string; layer: LayerRef; path?: string } & Page; result: LayerTreeResult };
  'container.commit': { params: CommitParams; result: CommitResult };
}
