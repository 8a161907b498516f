import crypto from 'node:crypto';

/**
 * What names a Debian root filesystem (runner/images/debian-base.ts): suite, mmdebstrap variant
 * and extra packages, plus the recipe's version. Kept apart from the builder so the console can
 * tell whether a template's image is of the current recipe without loading runner code.
 */
export type DebianSpec = {
  suite: 'bookworm';
  /** mmdebstrap's variant: minbase is apt + essential packages (about 40 MB unpacked). */
  variant: 'minbase' | 'apt' | 'important' | 'standard';
  include: string[];
};

export const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]{1,100}$/;
/** Bumped whenever the build itself changes (hooks, files written), so every image of the old recipe is rebuilt. */
export const RECIPE_VERSION = 'warren-debian-v3';

export const debianDigest = (spec: DebianSpec) =>
  `sha256:${crypto
    .createHash('sha256')
    .update(JSON.stringify([RECIPE_VERSION, spec.suite, spec.variant, [...spec.include].sort()]))
    .digest('hex')}`;

/** Two specs that build the same image (package order does not matter). */
export const sameDebianSpec = (a: DebianSpec, b: DebianSpec) => debianDigest(a) === debianDigest(b);
