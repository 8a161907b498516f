import fs from 'node:fs';
import path from 'node:path';

/**
 * The default template's own layer: a minimal root with its own /etc (never the host's),
 * merged-/usr symlinks, and /home/user for uid 1000. The host's /usr is mounted over /usr
 * read-only at run time, so python3, node, bash, gcc and git are there without copying.
 * Ownership here is canonical (0 = sandbox root, 1000 = user); id-mapped mounts shift it
 * to each sandbox's own host uid range.
 */
export const BASE_LAYER = 'base-v1';

const PASSWD = `root:x:0:0:root:/root:/bin/bash
user:x:1000:1000:Sandbox user:/home/user:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`;
const GROUP = `root:x:0:
users:x:100:user
user:x:1000:
nogroup:x:65534:
`;
const PROFILE = `export PATH=/home/user/.local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LANG=\${LANG:-C.UTF-8}
export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
umask 022
if [ -n "$BASH_VERSION" ] && [ -f /etc/bash.bashrc ]; then . /etc/bash.bashrc; fi
`;
const BASHRC = `[ -z "$PS1" ] && return
PS1='\\[\\e[1;32m\\]\\u@\\h\\[\\e[0m\\]:\\[\\e[1;34m\\]\\w\\[\\e[0m\\]\\$ '
alias ls='ls --color=auto'
`;

// Host files that are public data and keep the userland working: the linker cache for the
// host /usr we expose, Debian's alternatives symlinks (awk, editor…), CA certificates.
const COPIED_FROM_HOST = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/alternatives', '/etc/ssl/certs', '/etc/ssl/openssl.cnf', '/etc/inputrc', '/etc/skel'];

export function ensureBaseLayer(layersDir: string): string {
  const dir = path.join(layersDir, BASE_LAYER);
  if (fs.existsSync(dir)) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  build(tmp);
  fs.renameSync(tmp, dir);
  return dir;
}

function build(root: string) {
  const mk = (p: string, mode = 0o755, uid = 0) => {
    fs.mkdirSync(path.join(root, p), { recursive: true, mode });
    fs.chmodSync(path.join(root, p), mode);
    fs.chownSync(path.join(root, p), uid, uid);
  };
  const write = (p: string, content: string, mode = 0o644) => fs.writeFileSync(path.join(root, p), content, { mode });

  mk('.');
  for (const d of ['dev', 'proc', 'sys', 'run', 'usr', 'opt', 'opt/warren', 'srv', 'mnt', 'media', 'var', 'var/log', 'var/cache', 'var/lib', 'etc', 'etc/ssl']) mk(d);
  mk('root', 0o700);
  mk('tmp', 0o1777);
  mk('var/tmp', 0o1777);
  for (const [link, target] of [['bin', 'usr/bin'], ['sbin', 'usr/sbin'], ['lib', 'usr/lib'], ['lib64', 'usr/lib64']]) {
    fs.symlinkSync(target!, path.join(root, link!));
  }

  write('etc/passwd', PASSWD);
  write('etc/group', GROUP);
  write('etc/shadow', 'root:*:19000:0:99999:7:::\nuser:*:19000:0:99999:7:::\n', 0o640);
  write('etc/hostname', 'sandbox\n');
  write('etc/hosts', '127.0.0.1\tlocalhost sandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n');
  // slirp4netns' built-in DNS forwarder; harmless when the sandbox has no network.
  write('etc/resolv.conf', 'nameserver 10.0.2.3\n');
  write('etc/nsswitch.conf', 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n');
  write('etc/profile', PROFILE);
  write('etc/bash.bashrc', BASHRC);
  write('etc/shells', '/bin/sh\n/bin/bash\n/usr/bin/bash\n');
  write('etc/os-release', 'PRETTY_NAME="Warren sandbox (Debian userland)"\nNAME="Warren"\nID=warren\nID_LIKE=debian\n');
  fs.symlinkSync('/usr/share/zoneinfo/Etc/UTC', path.join(root, 'etc/localtime'));
  for (const src of COPIED_FROM_HOST) {
    if (fs.existsSync(src)) fs.cpSync(src, path.join(root, src), { recursive: true, verbatimSymlinks: true });
  }

  mk('home', 0o755);
  mk('home/user', 0o755);
  if (fs.existsSync(path.join(root, 'etc/skel'))) {
    fs.cpSync(path.join(root, 'etc/skel'), path.join(root, 'home/user'), { recursive: true });
  }
  chownTree(path.join(root, 'home/user'), 1000);
}

function chownTree(p: string, id: number) {
  fs.lchownSync(p, id, id);
  if (fs.lstatSync(p).isDirectory()) {
    for (const name of fs.readdirSync(p)) chownTree(path.join(p, name), id);
  }
}

/**
 * The layer stacked over every OCI image (Docker binds the same files at run time): the
 * sandbox's own hosts, hostname and resolver (slirp's DNS), and a home for `user` (uid 1000),
 * where commands start unless the image names a WorkingDir. The image's /etc/passwd is kept.
 */
export const IMAGE_TOP_LAYER = 'image-top-v1';

export function ensureImageTopLayer(layersDir: string): string {
  const dir = path.join(layersDir, IMAGE_TOP_LAYER);
  if (fs.existsSync(dir)) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const d of ['', 'etc', 'home']) fs.mkdirSync(path.join(tmp, d), { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(tmp, 'etc/hostname'), 'sandbox\n', { mode: 0o644 });
  fs.writeFileSync(path.join(tmp, 'etc/hosts'), '127.0.0.1\tlocalhost sandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n', { mode: 0o644 });
  fs.writeFileSync(path.join(tmp, 'etc/resolv.conf'), 'nameserver 10.0.2.3\n', { mode: 0o644 });
  fs.mkdirSync(path.join(tmp, 'home/user'), { mode: 0o755 });
  fs.chownSync(path.join(tmp, 'home/user'), 1000, 1000);
  fs.renameSync(tmp, dir);
  return dir;
}

/** Whether a layer stack is the `host` template's (the host's /usr is mounted over it). */
export const usesHostUsr = (layers: string[]) => layers[layers.length - 1] === BASE_LAYER;
