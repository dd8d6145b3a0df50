// Named and anonymous volumes: directories the helper keeps outside every
// container's layers, mounted into containers (-v NAME:/path, --mount).

export interface VolumeSummary {
  name: string;
  driver: 'local';
  /** the directory on the helper's host */
  mountpoint: string;
  created: string;
  labels: Record<string, string>;
  /** made for an image's VOLUME entry (removed with `rm -v`) */
  anonymous: boolean;
  /** names of the containers that have it mounted (running or not) */
  users: string[];
  /** bytes of file content, when asked for (`volume ls --size`, inspect) */
  size?: number;
}

/** A mount of a container as inspect shows it (Docker's "Mounts"). */
export interface MountInfo {
  type: 'volume' | 'bind' | 'tmpfs';
  /** the volume's name (type volume) */
  name?: string;
  /** host path (bind, volume) */
  source?: string;
  destination: string;
  readOnly: boolean;
}
