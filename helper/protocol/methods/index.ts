// Every area's method table, merged: each method's name, params and result,
// declared once. The server's handler table and the clients' `request` are
// typed from `Methods`, so a missing or mistyped method fails to compile.
import type { ContainerMethods } from './containers';
import type { DiffMethods } from './diff';
import type { ExecMethods } from './exec';
import type { ImageMethods } from './images';
import type { KernelMethods } from './kernel';
import type { LayerMethods } from './layers';
import type { NamespaceMethods } from './namespaces';
import type { NetworkMethods } from './network';
import type { StreamMethods } from './streams';
import type { SystemMethods } from './system';
import type { VolumeMethods } from './volumes';

export type { ContainerMethods, DiffMethods, ExecMethods, ImageMethods, KernelMethods, LayerMethods, NamespaceMethods, NetworkMethods, StreamMethods, SystemMethods, VolumeMethods };

export type Methods = ContainerMethods & ImageMethods & SystemMethods & StreamMethods & ExecMethods & NamespaceMethods & LayerMethods & DiffMethods & KernelMethods & NetworkMethods & VolumeMethods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = Methods[M]['params'];
export type Result<M extends MethodName> = Methods[M]['result'];
