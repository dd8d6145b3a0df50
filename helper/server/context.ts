// What a handler knows about the connection it serves.
import type { PeerCred } from '../native';

export interface ConnContext {
  peer: PeerCred;
  subscribe(): void;
}
