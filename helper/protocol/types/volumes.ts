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
  /** bytes of file content, when asked for (`volume ls --size`, inspect); never for a volume with options (as Docker sizes none) */
  size?: number;
  /** the local driver's options (`volume create -o`, Docker's names): the volume is this mount while a container's process uses it */
  options?: { type: string; device: string; o?: string };
  /** with options: whether the mount is up now (some container's process holds it) */
  mounted?: boolean;
}

/** `volume prune --filter`: label=KEY[=VALUE] each must match, label!=KEY[=VALUE] none may (Docker's prune filters). */
export interface VolumePruneFilters { label?: string[]; 'label!'?: string[] }

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
