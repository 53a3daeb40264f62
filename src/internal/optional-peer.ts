// Owns the check for ergate's optional peer dependency: bullmq (which brings ioredis) is
// needed only for the Redis backend and `ergate worker`, so a plain install leaves it out.
// Resolving is cheap (nothing is loaded); the message names the package to install.

/** null when `name` resolves from ergate's own location, else what to do about it. */
export function missingPeer(name: string, feature: string): string | null {
  try {
    import.meta.resolve(name);
    return null;
  } catch {
    return `${feature} needs the optional package ${name}: run "npm install ${name}" beside ergate`;
  }
}
