// The two messages of nscope's own between the language client (the
// extension) and the server, beside LSP's: a module of constants alone, so
// the extension's bundle takes the names without the server's code.

/** The client's answer: local image names, or null when no helper is reachable. */
export const IMAGES_REQUEST = 'nscope/images';
/** The client's word that its helpers' images may have changed (a helper connected, an image added or removed). */
export const IMAGES_CHANGED = 'nscope/imagesChanged';
