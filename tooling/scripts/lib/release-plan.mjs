// What `changeset version` must do to a workspace, computed independently of changesets from
// the rule its docs and .changeset/config.json state, so the rehearsal can compare:
// - a package named in changesets gets the highest bump they give it;
// - a package that depends on a bumped one through dependencies or optionalDependencies gets a
//   patch bump only if the dependency's new version leaves its range (`workspace:^` is read as
//   `^<current version>`), because config.json says updateInternalDependencies "patch";
// - through peerDependencies: a major bump when the new version leaves the range
//   (onlyUpdatePeerDependentsWhenOutOfRange), or on any non-patch bump without that option;
// - devDependencies never cause a bump; private and ignored packages are never versioned.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './published-packages.mjs';

// semver comes with @changesets/cli (a root devDependency); no extra install for one range check.
const semver = createRequire(
  realpathSync(join(repoRoot, 'node_modules/@changesets/cli/package.json')),
)('semver');

const ORDER = ['none', 'patch', 'minor', 'major'];
const higher = (a, b) => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

/** `workspace:^` and friends as the range they publish as, for a dependency at `version`. */
export function publishedRange(spec, version) {
  if (!spec.startsWith('workspace:')) return spec;
  const rest = spec.slice('workspace:'.length);
  if (rest === '*') return version;
  if (rest === '^' || rest === '~') return `${rest}${version}`;
  return rest;
}

/**
 * Expected bump type of every versioned package.
 * @param {{ name: string, manifest: Record<string, any> }[]} packages every workspace package
 * @param {{ releases: Record<string, string> }[]} changesets
 * @param {Record<string, any>} config .changeset/config.json
 * @returns {Map<string, string>} package name → 'patch' | 'minor' | 'major'
 */
export function expectedBumps(packages, changesets, config) {
  const versioned = packages.filter(
    ({ name, manifest }) =>
      !(config.ignore ?? []).includes(name) &&
      (manifest.private !== true || config.privatePackages?.version === true),
  );
  const byName = new Map(versioned.map((pkg) => [pkg.name, pkg]));
  const bumps = new Map();
  for (const changeset of changesets) {
    for (const [name, type] of Object.entries(changeset.releases)) {
      if (byName.has(name)) bumps.set(name, higher(bumps.get(name) ?? 'none', type));
    }
  }
  const peersOnlyOutOfRange =
    config.___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH
      ?.onlyUpdatePeerDependentsWhenOutOfRange === true;
  for (let changed = true; changed; ) {
    changed = false;
    for (const [dependency, type] of [...bumps]) {
      const oldVersion = byName.get(dependency).manifest.version;
      const newVersion = semver.inc(oldVersion, type);
      for (const dependent of versioned) {
        if (dependent.name === dependency) continue;
        let bump = 'none';
        for (const depType of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
          const spec = dependent.manifest[depType]?.[dependency];
          if (spec === undefined) continue;
          const inRange = semver.satisfies(newVersion, publishedRange(spec, oldVersion));
          if (depType === 'peerDependencies') {
            if (!inRange || (!peersOnlyOutOfRange && type !== 'patch')) bump = 'major';
          } else if (!inRange) {
            bump = higher(bump, 'patch');
          }
        }
        const before = bumps.get(dependent.name) ?? 'none';
        const after = higher(before, bump);
        if (after !== before) {
          bumps.set(dependent.name, after);
          changed = true;
        }
      }
    }
  }
  return bumps;
}

/** The version `type` leads to. */
export function nextVersion(version, type) {
  return semver.inc(version, type);
}
