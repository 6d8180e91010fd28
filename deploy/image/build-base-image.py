#!/usr/bin/env python3
"""Builds the base image of meshca's container images, with no registry and no Docker daemon.

The image is written as a `docker save` tarball that Jib takes as its base (`tar://...`). It holds two
layers:

1. the runtime, the same for the server and the agent: a Java runtime made by jlink from the build JDK
   at /opt/java/openjdk (the modules in deploy/image/java-modules; smoke-test.py checks them against
   jdeps), the shared libraries that runtime and the native libraries in the program's jars need (found
   with ldd, copied from the build machine to the paths ldd names), /etc/passwd and /etc/group with the
   user meshca (65532:65532), /etc/nsswitch.conf, /tmp (1777) and the user's home;
2. the program's own directories (--dir), owned by meshca: its data dir, its socket dir.

Why a base image rather than Jib's extraDirectories: Jib gives extra files 3-digit modes and root
ownership only, so it can make neither /tmp sticky nor a data dir that the non-root user may write.
Here every entry's owner and mode is written explicitly, and every timestamp is 0, so the same build
machine makes the same layers byte for byte (and the server's and the agent's runtime layers are one).

With --base naming another image (a registry image with its own Java), nothing is built: that image
must then have Java 17 or newer on its PATH.
"""

import argparse
import hashlib
import io
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile

JAVA_HOME_IN_IMAGE = "opt/java/openjdk"
USER = "meshca"
UID = GID = 65532
ELF_MAGIC = b"\x7fELF"

# glibc opens these itself (dlopen), so ldd never names them: unwinding at a thread's exit needs
# libgcc_s, and a glibc older than 2.34 keeps the files and dns lookups in libnss_* and libresolv.
DLOPENED_LIBRARIES = ["libgcc_s.so.1", "libnss_files.so.2", "libnss_dns.so.2", "libresolv.so.2"]

ARCHITECTURES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
# How the native libraries inside jars name this machine's architecture (netty, sqlite-jdbc, conscrypt).
JAR_ARCH_NAMES = {"amd64": ["x86_64", "x86-64", "amd64"], "arm64": ["aarch64", "aarch_64", "arm64"]}


def fail(message):
    print(f"build-base-image: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def log(message):
    print(f"build-base-image: {message}", flush=True)


def run(args):
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{' '.join(args[:3])}... exited {result.returncode}:\n{result.stderr.strip()}")
    return result.stdout


def tool(java_home, name):
    path = os.path.join(java_home, "bin", name)
    if not os.access(path, os.X_OK):
        fail(f"{path} is missing: the images need a full JDK (with jlink, jdeps and jmods) to build")
    return path


def read_modules(path):
    """The modules listed; those left out ('-') are for the smoke test's jdeps check."""
    wanted = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                wanted.append(line)
    return wanted


def jlink(java_home, modules, dest):
    jmods = os.path.join(java_home, "jmods")
    if not os.path.isdir(jmods):
        fail(f"{jmods} is missing: jlink needs the JDK's jmods (Debian: openjdk-17-jdk-headless)")
    present = [m for m in modules if os.path.exists(os.path.join(jmods, m + ".jmod"))]
    for m in sorted(set(modules) - set(present)):
        log(f"warning: the JDK at {java_home} has no module {m}; the runtime is made without it")
    # no --compress: the registry's gzip shrinks plain modules better than jlink's zip does (20 MB
    # against 27 MB pulled), and classes load faster from them
    run([tool(java_home, "jlink"), "--add-modules", ",".join(present), "--strip-debug", "--no-header-files",
         "--no-man-pages", "--output", dest])


def is_elf(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == ELF_MAGIC
    except OSError:
        return False


def jar_native_libraries(lib_dir, arch, scratch):
    """The native libraries in the jars that this machine's glibc would load (not musl's or Android's)."""
    names = JAR_ARCH_NAMES[arch]
    found = []
    for jar in sorted(os.listdir(lib_dir)):
        if not jar.endswith(".jar"):
            continue
        with zipfile.ZipFile(os.path.join(lib_dir, jar)) as z:
            for entry in z.namelist():
                low = entry.lower()
                if not low.endswith(".so") or "musl" in low or "android" in low:
                    continue
                if not any(n in low for n in names) or ("linux" not in low and "/native/lib" not in low):
                    continue
                target = os.path.join(scratch, jar, entry)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with z.open(entry) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                found.append(target)
    return found


LDD_RESOLVED = re.compile(r"^\s*(\S+) => (\S+) \(0x[0-9a-f]+\)$")
LDD_NOT_FOUND = re.compile(r"^\s*(\S+) => not found$")
LDD_DIRECT = re.compile(r"^\s*(/\S+) \(0x[0-9a-f]+\)$")


def shared_libraries(binaries, runtime_dir):
    """Every library outside the runtime that the binaries need, as the absolute paths ldd resolves."""
    if shutil.which("ldd") is None:
        fail("ldd is missing: it finds the shared libraries the image's Java runtime needs (Debian: libc-bin)")
    needed, missing = set(), []
    # the launcher loads lib/server/libjvm.so by path, and the JDK's own libraries find each other there
    env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(
        [os.path.join(runtime_dir, "lib"), os.path.join(runtime_dir, "lib", "server")]))
    for binary in binaries:
        result = subprocess.run(["ldd", binary], capture_output=True, text=True, env=env)
        if result.returncode != 0:
            if "not a dynamic executable" in result.stdout + result.stderr:
                continue
            fail(f"ldd {binary}: {result.stderr.strip()}")
        for line in result.stdout.splitlines():
            m = LDD_RESOLVED.match(line) or LDD_DIRECT.match(line)
            if m:
                path = m.groups()[-1]
                if not os.path.realpath(path).startswith(os.path.realpath(runtime_dir) + os.sep):
                    needed.add(path)
            elif LDD_NOT_FOUND.match(line):
                missing.append(f"{binary}: {line.strip()}")
    if missing:
        fail("libraries not found on this machine:\n  " + "\n  ".join(missing))
    libc_dir = next((os.path.dirname(p) for p in needed if os.path.basename(p) == "libc.so.6"), None)
    if libc_dir is None:
        fail("ldd named no libc.so.6 for the Java runtime: is this a glibc system?")
    for name in DLOPENED_LIBRARIES:
        candidate = os.path.join(libc_dir, name)
        if os.path.exists(candidate):
            needed.add(candidate)
    if not any(os.path.basename(p) == "libgcc_s.so.1" for p in needed):
        fail(f"libgcc_s.so.1 is not in {libc_dir}: glibc needs it to end threads (Debian: libgcc-s1)")
    return sorted(needed)


def copy_libraries(libraries, rootfs):
    for lib in libraries:
        target = os.path.join(rootfs, lib.lstrip("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.realpath(lib), target)
        os.chmod(target, 0o755)


def write_etc(rootfs):
    files = {
        "etc/passwd": f"root:x:0:0:root:/root:/sbin/nologin\n{USER}:x:{UID}:{GID}:{USER}:/home/{USER}:/sbin/nologin\n",
        "etc/group": f"root:x:0:\n{USER}:x:{GID}:\n",
        # glibc's lookups without an nsswitch.conf differ between versions: say it
        "etc/nsswitch.conf": "passwd: files\ngroup: files\nhosts: files dns\n",
    }
    for rel, text in files.items():
        path = os.path.join(rootfs, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


class Entry:
    """One entry of a layer: where it goes in the image and who owns it."""

    def __init__(self, name, source=None, mode=0o755, uid=0, gid=0, link=None):
        self.name, self.source, self.mode, self.uid, self.gid, self.link = name, source, mode, uid, gid, link


def tree_entries(root, prefix=""):
    """Entries for everything under root: root-owned, files 0644 or 0755 (as executable as on disk)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        for name in sorted(dirnames) + sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.normpath(os.path.join(prefix, rel_dir, name))
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                out.append(Entry(rel, link=os.readlink(path)))
            elif stat.S_ISDIR(st.st_mode):
                out.append(Entry(rel, mode=0o755))
            else:
                out.append(Entry(rel, source=path, mode=0o755 if st.st_mode & 0o111 else 0o644))
    return out


def parents(path):
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def write_layer(entries, path):
    """A reproducible, uncompressed layer: sorted names, mtime 0, numeric owners only."""
    by_name = {}
    for e in entries:
        for p in parents(e.name):
            by_name.setdefault(p, Entry(p, mode=0o755))
        by_name[e.name] = e
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        for name in sorted(by_name):
            e = by_name[name]
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, e.uid, e.gid, "", ""
            info.mode = e.mode
            if e.link is not None:
                info.type, info.linkname, info.mode = tarfile.SYMTYPE, e.link, 0o777
                tar.addfile(info)
            elif e.source is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = os.path.getsize(e.source)
                with open(e.source, "rb") as f:
                    tar.addfile(info, f)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_image(layers, arch, out):
    diff_ids = ["sha256:" + sha256(path) for path, _ in layers]
    config = {
        "architecture": arch,
        "os": "linux",
        "created": "1970-01-01T00:00:00Z",
        "config": {
            "Env": [f"PATH=/{JAVA_HOME_IN_IMAGE}/bin:/usr/bin:/bin", f"JAVA_HOME=/{JAVA_HOME_IN_IMAGE}"],
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": f"build-base-image.py: {what}"}
                    for _, what in layers],
    }
    config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    layer_names = [d.split(":")[1] + "/layer.tar" for d in diff_ids]
    manifest = json.dumps([{"Config": config_name, "RepoTags": [], "Layers": layer_names}]).encode()

    def add(tar, name, data=None, source=None):
        info = tarfile.TarInfo(name)
        info.mtime, info.mode = 0, 0o644
        if source is not None:
            info.size = os.path.getsize(source)
            with open(source, "rb") as f:
                tar.addfile(info, f)
        else:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    tmp = out + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.GNU_FORMAT) as tar:
        add(tar, config_name, config_bytes)
        for (path, _), name in zip(layers, layer_names):
            add(tar, name, source=path)
        add(tar, "manifest.json", manifest)
    os.replace(tmp, out)


def parse_dir(spec):
    try:
        path, mode = spec.split(":")
        return path.strip("/"), int(mode, 8)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--dir {spec}: expected /path:octal-mode, e.g. /var/lib/meshca:0700")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--java-home", required=True, help="the JDK whose jlink makes the runtime")
    p.add_argument("--modules", required=True, help="deploy/image/java-modules")
    p.add_argument("--lib", required=True, help="the program's runtime dependencies (target/lib)")
    p.add_argument("--dir", action="append", type=parse_dir, default=[],
                   help="a directory of the program, owned by meshca: /path:mode (repeatable)")
    p.add_argument("--out", required=True, help="the base image tarball to write")
    p.add_argument("--base", required=True, help="the base image the build uses; anything but tar://<out> skips")
    args = p.parse_args()

    if args.base != "tar://" + os.path.abspath(args.out):
        log(f"the images are built on {args.base}: no base image of our own is made")
        return
    arch = ARCHITECTURES.get(platform.machine().lower())
    if arch is None:
        fail(f"no image architecture for this machine's {platform.machine()}")
    wanted = read_modules(args.modules)

    work = os.path.abspath(args.out) + ".d"
    shutil.rmtree(work, ignore_errors=True)
    rootfs = os.path.join(work, "rootfs")
    runtime_dir = os.path.join(rootfs, JAVA_HOME_IN_IMAGE)
    os.makedirs(os.path.dirname(runtime_dir))
    jlink(args.java_home, wanted, runtime_dir)

    with tempfile.TemporaryDirectory() as scratch:
        binaries = [os.path.join(d, f) for d, _, fs in os.walk(runtime_dir) for f in fs]
        binaries = sorted(b for b in binaries if not os.path.islink(b) and is_elf(b))
        binaries += jar_native_libraries(args.lib, arch, scratch)
        libraries = shared_libraries(binaries, runtime_dir)
    copy_libraries(libraries, rootfs)
    write_etc(rootfs)
    log(f"runtime: {len(wanted)} modules, {len(libraries)} libraries: "
        + " ".join(os.path.basename(x) for x in libraries))

    runtime = tree_entries(rootfs) + [
        Entry("tmp", mode=0o1777),
        Entry(f"home/{USER}", mode=0o700, uid=UID, gid=GID),
    ]
    program = [Entry(path, mode=mode, uid=UID, gid=GID) for path, mode in args.dir]
    layers = [(os.path.join(work, "runtime.tar"), "Java runtime (jlink), its libraries, /etc, /tmp"),
              (os.path.join(work, "dirs.tar"), "directories: " + " ".join("/" + d for d, _ in args.dir))]
    write_layer(runtime, layers[0][0])
    write_layer(program, layers[1][0])
    write_image(layers, arch, args.out)
    size = os.path.getsize(args.out)
    log(f"wrote {args.out} ({size // (1024 * 1024)} MiB uncompressed, {arch})")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
