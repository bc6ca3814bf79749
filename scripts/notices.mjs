// Third-party notices for what dist/ bundles: every package esbuild put into the bundle (read from
// its metafile), with its version, its license and the text of its license file, as their licenses
// (MIT, ISC, BSD, Apache-2.0) ask of anyone who redistributes them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/** `node_modules/a/node_modules/@s/b/x.js` → `node_modules/a/node_modules/@s/b` (the innermost package). */
function packageDir(input) {
  const parts = input.split(/[\\/]/);
  const i = parts.lastIndexOf('node_modules');
  if (i === -1) return null;
  const name = parts[i + 1]?.startsWith('@') ? 2 : 1;
  return parts.slice(0, i + 1 + name).join(sep);
}

function licenseText(dir) {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|-|$)/i.test(f));
  return file === undefined ? null : readFileSync(join(dir, file), 'utf8').trim();
}

/** The notices text for an esbuild metafile; throws when a bundled package states no license. */
export function thirdPartyNotices(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageDir(input);
    if (dir !== null && existsSync(join(dir, 'package.json'))) dirs.add(dir);
  }
  const packages = [...dirs]
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? null);
      return { name: pkg.name, version: pkg.version, license, text: licenseText(dir) };
    })
    .filter((p, i, all) => all.findIndex((q) => q.name === p.name && q.version === p.version) === i)
    .sort((a, b) => a.name.localeCompare(b.name));
  const missing = packages.filter((p) => p.license === null && p.text === null).map((p) => p.name);
  if (missing.length > 0) throw new Error(`bundled packages without a license: ${missing.join(', ')}`);
  const head =
    'jlog bundles the following packages in dist/. Their licenses and notices follow.\n\n' +
    packages.map((p) => `- ${p.name} ${p.version} (${p.license ?? 'see below'})`).join('\n');
  const bodies = packages.map(
    (p) =>
      `${'-'.repeat(78)}\n${p.name} ${p.version}\nLicense: ${p.license ?? 'see below'}\n\n` +
      (p.text ?? `Licensed under ${p.license}; the package ships no license file.`),
  );
  return `${head}\n\n${bodies.join('\n\n')}\n`;
}
