import type { KubeObject } from '../../types';

/** One backup as kept in object storage: the Backup object as it ended, and the items it holds. @public */
export interface StoredBackup {
  backup: KubeObject;
  items: KubeObject[];
}

/**
 * The object storage behind one cluster's backup storage locations, in memory:
 * what a Backup recorded outlives the Backup object, as a bucket would, for as
 * long as the process lives. Keyed by storage location and backup name.
 * @public
 */
export class BackupStore {
  private readonly backups = new Map<string, StoredBackup>();

  private static key(location: string, name: string): string {
    return `${location}/${name}`;
  }

  put(location: string, backup: KubeObject, items: KubeObject[]): void {
    this.backups.set(BackupStore.key(location, backup.metadata.name!), structuredClone({ backup, items }));
  }

  /** Replaces the stored Backup object (its final status) and keeps the items. */
  updateBackup(location: string, backup: KubeObject): void {
    const stored = this.backups.get(BackupStore.key(location, backup.metadata.name!));
    if (stored) stored.backup = structuredClone(backup);
  }

  get(location: string, name: string): StoredBackup | undefined {
    const stored = this.backups.get(BackupStore.key(location, name));
    return stored && structuredClone(stored);
  }

  /** Every stored backup of a location: what Velero's backup sync would find in the bucket. */
  list(location: string): StoredBackup[] {
    return [...this.backups.entries()].filter(([key]) => key.startsWith(`${location}/`)).map(([, v]) => structuredClone(v));
  }

  /** What a DeleteBackupRequest does to the bucket. */
  delete(location: string, name: string): boolean {
    return this.backups.delete(BackupStore.key(location, name));
  }
}
