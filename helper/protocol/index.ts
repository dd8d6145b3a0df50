// THE contract between the helper and its clients (CLI, VS Code extension):
// every method's name, params and result, declared once. Both the server's
// handler table and the clients' `request` are typed from `Methods`.
import type { ContainerMethods } from './containers';
import type { ExecMethods } from './exec';
import type { NamespaceMethods } from './namespaces';
import type { ImageMethods } from './images';
import type { StreamMethods } from './streams';
import type { SystemMethods } from './system';
import type { LayerMethods } from './layers';
import type { DiffMethods } from './diff';
import type { KernelMethods } from './kernel';

export * from './containers';
export * from './images';
export * from './system';
export * from './events';
export * from './streams';
export * from './exec';
export * from './namespaces';
export * from './errors';
export * from './layers';
export * from './diff';
export * from './kernel';
export * from './security';

export type Methods = ContainerMethods & ImageMethods & SystemMethods & StreamMethods & ExecMethods & NamespaceMethods & LayerMethods & DiffMethods & KernelMethods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = Methods[M]['params'];
export type Result<M extends MethodName> = Methods[M]['result'];

export const PROTOCOL_VERSION = 1;
export const DEFAULT_SOCKET = '/run/nscope/nscope.sock';
export const DEFAULT_ROOT = '/var/lib/nscope';
