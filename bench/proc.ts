import fs from 'node:fs';

/** Linux only: a process's VmRSS in MB from /proc (null elsewhere or when the process is gone). */
export function rssOfProcessMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}
