// Namespaces: each method's params and result (the data: ../types/namespaces.ts).
import type { ContainerNamespace, NamespaceInfo, NsType } from '../types/namespaces';

export interface NamespaceMethods {
  'namespace.list': { params: { type?: NsType }; result: NamespaceInfo[] };
  'container.namespaces': { params: { id: string }; result: ContainerNamespace[] };
}
