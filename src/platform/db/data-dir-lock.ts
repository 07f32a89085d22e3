import fs from 'node:fs';
import path from 'node:path';

/**
 * PGlite does not lock its data directory: a second process that opens it silently loses its writes.
 * Whoever owns the embedded database (a server, or the CLI while no server runs) holds this lock file;
 * it records the owner's pid and the unix socket on which the database is served, so that the CLI can
 * reach a running server's database instead of opening the files a second time.
 */
export interface LockInfo {
  pid: number;
  socketDir: string | null;
  owner: 'server' | 'cli';
  startedAt: string;
}

const LOCK_FILE = 'opsbase.lock';

// Lock files this process holds. A lock naming our own pid that is not in here was left by an earlier
// process that had the same pid (common in containers, where the server is often pid 1): it is stale.
const heldByThisProcess = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLiveLock(dataDir: string): LockInfo | null {
  const file = path.join(dataDir, LOCK_FILE);
  let info: LockInfo;
  try {
    info = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
  if (info.pid === process.pid ? !heldByThisProcess.has(path.resolve(file)) : !isAlive(info.pid)) return null;
  return info;
}

export class DataDirLock {
  private constructor(private readonly file: string, private info: LockInfo) {}

  /** Takes the lock atomically; a lock left by a dead process is replaced. Returns the live holder on failure. */
  static acquire(dataDir: string, owner: LockInfo['owner']): DataDirLock | LockInfo {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, LOCK_FILE);
    const info: LockInfo = { pid: process.pid, socketDir: null, owner, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(info), { flag: 'wx' });
        heldByThisProcess.add(path.resolve(file));
        return new DataDirLock(file, info);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = readLiveLock(dataDir);
        if (holder) return holder;
        // Stale: its process is gone. Remove and race again; `wx` decides who wins.
        fs.rmSync(file, { force: true });
      }
    }
    const holder = readLiveLock(dataDir);
    if (holder) return holder;
    throw new Error(`Could not take the lock ${file}`);
  }

  publishSocket(socketDir: string): void {
    this.info = { ...this.info, socketDir };
    fs.writeFileSync(this.file, JSON.stringify(this.info));
  }

  release(): void {
    heldByThisProcess.delete(path.resolve(this.file));
    try {
      const current = JSON.parse(fs.readFileSync(this.file, 'utf8')) as LockInfo;
      if (current.pid === process.pid) fs.rmSync(this.file, { force: true });
    } catch {
      // Already gone.
    }
  }
}
