// The compiled build (dist/) must never run code older than the sources: bin/buildManifest.js decides, per start,
// whether dist/ was built from exactly the current src/, machines/, package.json and tsconfigs.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashInputs, manifestOf, staleReason } from '../../bin/buildManifest.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempRoot(): string {
  const d = mkdtempSync(join(tmpdir(), 'riskd-build-'));
  dirs.push(d);
  return d;
}

function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

/** A tiny project with every kind of input, and a manifest recorded for it as the build does. */
function builtProject(): string {
  const root = tempRoot();
  write(root, 'package.json', '{"version":"1.0.0"}');
  write(root, 'tsconfig.json', '{}');
  write(root, 'tsconfig.build.json', '{}');
  write(root, 'src/cli/main.ts', 'export const x = 1;\n');
  write(root, 'src/control/web/page.html', '<p>hi</p>');
  write(root, 'machines/m.ts', 'export const m = 2;\n');
  write(root, 'dist/manifest.json', JSON.stringify(manifestOf(hashInputs(root))));
  return root;
}

describe('build staleness guard (bin/buildManifest.js)', () => {
  it('a build made from the current sources is used', () => {
    expect(staleReason(builtProject())).toBeUndefined();
  });

  it('no build, or an unreadable manifest, means running from source', () => {
    const root = builtProject();
    writeFileSync(join(root, 'dist/manifest.json'), '{not json');
    expect(staleReason(root)).toMatch(/no build/);
    writeFileSync(join(root, 'dist/manifest.json'), '{"format":99,"files":{}}');
    expect(staleReason(root)).toMatch(/unknown manifest format/);
    rmSync(join(root, 'dist'), { recursive: true });
    expect(staleReason(root)).toMatch(/no build/);
  });

  it('an edit is caught by content even when size and mtime are kept (cp -p, tar, rsync -t)', () => {
    const root = builtProject();
    const file = join(root, 'src/cli/main.ts');
    const before = statSync(file);
    writeFileSync(file, 'export const x = 9;\n'); // same length
    utimesSync(file, before.atime, before.mtime);
    expect(statSync(file).size).toBe(before.size);
    expect(staleReason(root)).toBe('src/cli/main.ts changed after the build');
  });

  it('an asset, package.json or a tsconfig edit is caught too', () => {
    for (const f of ['src/control/web/page.html', 'package.json', 'tsconfig.build.json', 'machines/m.ts']) {
      const root = builtProject();
      writeFileSync(join(root, f), `${readFileSync(join(root, f), 'utf8')} `);
      expect(staleReason(root)).toBe(`${f} changed after the build`);
    }
  });

  it('an added or a removed source file is caught', () => {
    const root = builtProject();
    write(root, 'src/new.ts', 'export {};\n');
    expect(staleReason(root)).toBe('src/new.ts was added after the build');
    rmSync(join(root, 'src/new.ts'));
    expect(staleReason(root)).toBeUndefined();
    rmSync(join(root, 'machines/m.ts'));
    expect(staleReason(root)).toBe('machines/m.ts was removed after the build');
  });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function node(cwd: string, args: string[]): Promise<Run> {
  return new Promise((res) => {
    execFile(process.execPath, args, { cwd, env: { ...process.env, RISKD_DEBUG_BUILD: '1', RISKD_FROM_SOURCE: '' }, timeout: 90_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('riskd with a real build (a copy of the repository)', () => {
  it('runs dist/ when fresh; after a source edit runs the edited source, never the stale build', async () => {
    const root = tempRoot();
    for (const f of ['bin', 'src', 'machines', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) cpSync(join(REPO, f), join(root, f), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));

    const built = await node(root, ['bin/build.js']);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/modules compiled to dist\//);
    const fresh = await node(root, ['bin/riskd.js', '--help']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).toContain('riskd: running dist/ (fresh build)');
    expect(fresh.stdout).toContain('Self-hosted risk daemon');

    const main = join(root, 'src/cli/main.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace('Self-hosted risk daemon', 'EDITED risk daemon'));
    const edited = await node(root, ['bin/riskd.js', '--help']);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stderr).toContain('riskd: running from source (src/cli/main.ts changed after the build)');
    expect(edited.stdout).toContain('EDITED risk daemon');
  }, 120_000);
});
