// What every stream pump shares: the `stream.open` params of its kind, the
// services it may reach, and what it hands back to the server.
import type { Socket } from 'net';
import type { ImageStore } from '../../images/store';
import type { Result, StreamOpenParams } from '../../protocol';
import type { ContainerManager } from '../../runtime/manager';
import type { RegistrySettings } from '../../registry/settings';

export type { StreamOpenParams } from '../../protocol';

export type StreamKind = StreamOpenParams['kind'];

/** The params of one kind of stream, e.g. StreamParams<'logs'>. */
export type StreamParams<K extends StreamKind> = Extract<StreamOpenParams, { kind: K }>;

/** The handshake's answer, and the pump that carries the bytes once it is sent. */
export interface OpenedStream { result: Result<'stream.open'>; pump: (sock: Socket) => Promise<void> }

/** What pumps reach: containers for logs/attach/exec; the image store for export, pull and push (absent: refused). */
export interface StreamServices {
  containers: ContainerManager;
  images?: ImageStore;
  /** how registries are reached (pull, push); absent: transfers refused */
  registry?: RegistrySettings;
  emitImage?(type: 'image.added' | 'image.removed', id: string, name: string): void;
}

/** Validates one kind's params, starts what they ask for, and returns its pump. */
export type StreamOpener<K extends StreamKind> = (p: StreamParams<K>, s: StreamServices) => Promise<OpenedStream> | OpenedStream;
