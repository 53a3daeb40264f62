// Owns the check for ergate's optional peer dependency: bullmq (which brings ioredis) is
// needed only for the Redis backend and `ergate worker`, so a plain install leaves it out.
// Whoever needs it gets one plain message naming the package to install.

function needs(feature: string, name: string): string {
  return `${feature} needs the optional package ${name}: run "npm install ${name}" beside ergate`;
}

/** null when `name` resolves from ergate's own location, else what to do about it (nothing is loaded). */
export function missingPeer(name: string, feature: string): string | null {
  try {
    import.meta.resolve(name);
    return null;
  } catch {
    return needs(feature, name);
  }
}

/** Loads bullmq; when it is not installed, rejects with an Error naming what to install. */
export async function importBullmq(feature: string): Promise<typeof import('bullmq')> {
  try {
    return await import('bullmq');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && missingPeer('bullmq', feature) !== null)
      throw new Error(needs(feature, 'bullmq'), { cause: error });
    throw error;
  }
}
