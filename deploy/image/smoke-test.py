#!/usr/bin/env python3
"""Proves meshca's image tarballs run, with no container runtime: as a runtime would, it unpacks each
image's layers into a root file system, reads the image config and runs the image's own entrypoint and
command there, chrooted, in a mount namespace of its own (with /proc and /dev as a runtime gives them),
as the image's user and with the image's environment.

Checks: the OCI layout and every blob's digest; the config (a non-root user, the volumes, the exposed
ports, the labels, an entrypoint that resolves on the image's PATH); `version` in both images; then a
server started from the image's default command with a small config, `healthcheck` answering, a join
token and the bundle taken from it, an agent started from its image's default command that attests with
them and answers its own `healthcheck` on the socket in its volume, files written by uid 65532 into the
volumes; then both stopped with SIGTERM, as `docker stop` and Kubernetes stop them.

Usage (as root, from the repository root, after ./mvnw -Pimages package -DskipTests):
  python3 deploy/image/smoke-test.py [--server TAR] [--agent TAR]
Skips, saying so, when not root (chroot and mounts need it).
"""

import argparse
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time

TRUST_DOMAIN = "smoke.meshca.test"
SERVER_CONFIG = "/etc/meshca/server.yaml"
AGENT_CONFIG = "/etc/meshca/agent.yaml"
AGENT_SOCKET = "/run/meshca/sockets/api.sock"
STOP_TIMEOUT = 30
UNSHARE, CHROOT = "unshare", "chroot"
HEALTH_WAIT = "120s"

IMAGES = {
    "server": {
        "tar": "ca-server/target/meshca-server-image.tar",
        "volumes": {"/var/lib/meshca": 0o700},
        "ports": {"8081/tcp"},
    },
    "agent": {
        "tar": "workload-api/target/meshca-agent-image.tar",
        "volumes": {"/run/meshca/sockets": 0o755, "/var/lib/meshca-agent": 0o700},
        "ports": set(),
    },
}


# Our own tarballs, unpacked as they are (owners, modes, links); Pythons before 3.11.4 have no filters.
TRUSTED = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}


class Failed(Exception):
    pass


class Checks:
    def __init__(self):
        self.passed = 0

    def ok(self, condition, what, detail=""):
        if not condition:
            raise Failed(f"{what}{': ' + detail if detail else ''}")
        self.passed += 1
        print(f"  ok  {what}", flush=True)


def project_version():
    with open("pom.xml") as f:
        pom = f.read()
    m = re.search(r"<artifactId>meshca-parent</artifactId>\s*<version>([^<]+)</version>", pom)
    if not m:
        raise Failed("no version of meshca-parent in pom.xml (run from the repository root)")
    return m.group(1)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Image:
    """An OCI image layout tarball, unpacked: its index, manifest, config and root file system."""

    def __init__(self, name, tar_path, work, checks):
        self.name = name
        self.dir = os.path.join(work, name)
        self.layout = os.path.join(self.dir, "layout")
        self.rootfs = os.path.join(self.dir, "rootfs")
        os.makedirs(self.layout)
        os.makedirs(self.rootfs)
        with tarfile.open(tar_path) as t:
            t.extractall(self.layout, **TRUSTED)
        checks.ok(os.path.exists(os.path.join(self.layout, "oci-layout")), f"{name}: an OCI image layout")
        self.index = self.read_json("index.json")
        manifests = self.index["manifests"]
        checks.ok(len(manifests) == 1, f"{name}: one manifest in index.json", str(manifests))
        self.ref = manifests[0].get("annotations", {}).get("org.opencontainers.image.ref.name")
        self.manifest = self.blob_json(manifests[0]["digest"], checks)
        self.config = self.blob_json(self.manifest["config"]["digest"], checks)
        self.layers = self.manifest["layers"]
        for layer in self.layers:
            self.verify(layer["digest"])
        checks.ok(True, f"{name}: {len(self.layers)} layers, every blob matches its digest")
        diff_ids = self.config["rootfs"]["diff_ids"]
        for layer, diff_id in zip(self.layers, diff_ids):
            self.unpack(layer, diff_id)
        checks.ok(len(diff_ids) == len(self.layers), f"{name}: layers unpacked, each matches its diff_id")
        self.unpacked_size = self.size_unpacked()

    def read_json(self, rel):
        with open(os.path.join(self.layout, rel)) as f:
            return json.load(f)

    def blob(self, digest):
        algorithm, hexdigest = digest.split(":")
        return os.path.join(self.layout, "blobs", algorithm, hexdigest)

    def verify(self, digest):
        actual = "sha256:" + sha256_file(self.blob(digest))
        if actual != digest:
            raise Failed(f"{self.name}: blob {digest} has digest {actual}")

    def blob_json(self, digest, checks):
        self.verify(digest)
        with open(self.blob(digest)) as f:
            return json.load(f)

    def unpack(self, layer, diff_id):
        path = self.blob(layer["digest"])
        h = hashlib.sha256()
        with gzip.open(path) if layer["mediaType"].endswith("gzip") else open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        if "sha256:" + h.hexdigest() != diff_id:
            raise Failed(f"{self.name}: layer {layer['digest']} is not {diff_id}")
        with tarfile.open(path) as t:
            for member in t.getmembers():
                base = os.path.basename(member.name)
                if base.startswith(".wh."):  # a whiteout: the layer deletes what is below it
                    target = os.path.join(self.rootfs, os.path.dirname(member.name), base[4:])
                    if os.path.isdir(target) and not os.path.islink(target):
                        shutil.rmtree(target)
                    elif os.path.lexists(target):
                        os.remove(target)
                    continue
                # as root, tarfile restores owners and modes (the sticky bit included), as a runtime does
                t.extract(member, self.rootfs, set_attrs=True, numeric_owner=True, **TRUSTED)

    @property
    def settings(self):
        return self.config["config"]

    def size_compressed(self):
        return sum(layer["size"] for layer in self.layers)

    def size_unpacked(self):
        total = 0
        for d, _, files in os.walk(self.rootfs):
            for f in files:
                p = os.path.join(d, f)
                if not os.path.islink(p):
                    total += os.path.getsize(p)
        return total

    def path(self, rel):
        return os.path.join(self.rootfs, rel.lstrip("/"))

    def env(self):
        return dict(e.split("=", 1) for e in self.settings.get("Env", []))

    def resolve(self, command):
        """Where the entrypoint's program is in the image, looked up on the image's PATH as a runtime does."""
        if "/" in command:
            return command if os.access(self.path(command), os.X_OK) else None
        for d in self.env().get("PATH", "").split(":"):
            if d and os.access(self.path(os.path.join(d, command)), os.X_OK):
                return os.path.join(d, command)
        return None

    def user(self):
        """The config's User as numeric uid and gid, names looked up in the image's /etc/passwd."""
        user, _, group = self.settings.get("User", "").partition(":")
        passwd = {}
        with open(self.path("/etc/passwd")) as f:
            for line in f:
                fields = line.strip().split(":")
                if len(fields) >= 4:
                    passwd[fields[0]] = (int(fields[2]), int(fields[3]))
        if not user:
            return 0, 0
        uid, gid = (int(user), None) if user.isdigit() else passwd.get(user, (None, None))
        if uid is None:
            raise Failed(f"{self.name}: user {user} is not in the image's /etc/passwd")
        if group:
            gid = int(group)
        elif gid is None:
            gid = next((g for u, g in passwd.values() if u == uid), uid)
        return uid, gid

    def popen(self, args, log_path=None):
        """The image's entrypoint with args, as the image's user, chrooted, in a mount namespace of its own."""
        for d in ("proc", "dev"):
            os.makedirs(self.path(d), exist_ok=True)
        uid, gid = self.user()
        argv = self.settings.get("Entrypoint", []) + args
        # the mounts are made in the new namespace only (unshare's propagation is private): when the
        # process ends they are gone, and the host never sees them
        script = ('mount --rbind /dev "$0/dev" && mount -t proc proc "$0/proc" && '
                  f'exec {CHROOT} --userspec={uid}:{gid} --groups={gid} "$0" "$@"')
        workdir = self.settings.get("WorkingDir") or "/"
        cmd = [UNSHARE, "--mount", "--propagation", "private", "sh", "-c", script, self.rootfs]
        if workdir != "/":
            raise Failed(f"{self.name}: the smoke test does not handle WorkingDir {workdir}")
        out = open(log_path, "w") if log_path else subprocess.PIPE
        return subprocess.Popen(cmd + argv, env=self.env(), stdout=out, stderr=subprocess.STDOUT, text=True)

    def run(self, args, timeout=180):
        p = self.popen(args)
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
            raise Failed(f"{self.name} {' '.join(args)}: no answer in {timeout}s:\n{out}")
        return p.returncode, out


def check_config(image, spec, version, checks):
    s = image.settings
    name = image.name
    checks.ok(image.ref == f"meshca/{name}:{version}", f"{name}: named meshca/{name}:{version}", str(image.ref))
    uid, gid = image.user()
    checks.ok(uid != 0 and gid != 0, f"{name}: runs as {s.get('User')}, not root", s.get("User", "(none)"))
    checks.ok(set(s.get("Volumes", {})) == set(spec["volumes"]), f"{name}: volumes {sorted(spec['volumes'])}",
              str(s.get("Volumes")))
    for volume, mode in spec["volumes"].items():
        st = os.stat(image.path(volume))
        checks.ok(st.st_uid == uid and st.st_gid == gid and (st.st_mode & 0o7777) == mode,
                  f"{name}: {volume} is {uid}:{gid} {mode:04o} in the image",
                  f"{st.st_uid}:{st.st_gid} {st.st_mode & 0o7777:04o}")
    checks.ok(set(s.get("ExposedPorts", {})) == spec["ports"], f"{name}: exposed ports {sorted(spec['ports'])}",
              str(s.get("ExposedPorts")))
    labels = s.get("Labels", {})
    checks.ok(labels.get("org.opencontainers.image.version") == version
              and labels.get("org.opencontainers.image.title", "").startswith("meshca"),
              f"{name}: org.opencontainers.image labels", str(labels))
    checks.ok((os.stat(image.path("/tmp")).st_mode & 0o7777) == 0o1777, f"{name}: /tmp is 1777")
    entrypoint = s.get("Entrypoint", [])
    checks.ok(bool(entrypoint) and image.resolve(entrypoint[0]) is not None,
              f"{name}: entrypoint {entrypoint[:1]} is on the image's PATH", str(entrypoint))
    code, out = image.run(["version"])
    checks.ok(code == 0 and out.strip().splitlines()[-1:] == [f"meshca {version}"],
              f"{name}: `version` prints meshca {version}", f"exit {code}: {out.strip()}")


def runtime_modules(image):
    """The modules of the image's Java runtime, from its release file (jlink writes MODULES there)."""
    with open(image.path("/opt/java/openjdk/release")) as f:
        m = re.search(r'^MODULES="([^"]*)"', f.read(), re.M)
    return set(m.group(1).split()) if m else set()


def left_out_modules():
    with open("deploy/image/java-modules") as f:
        return {line.split("#", 1)[0].strip()[1:] for line in f if line.startswith("-")}


def check_modules(images, checks):
    """jdeps over both images' classpath (one run: most jars are in both) against their one runtime."""
    runtimes = {name: runtime_modules(image) for name, image in images.items()}
    runtime = runtimes["server"]
    checks.ok(bool(runtime) and all(r == runtime for r in runtimes.values()),
              f"both images run on the same Java runtime of {len(runtime)} modules", str(runtimes))
    jdeps = shutil.which("jdeps", path=os.path.join(os.environ.get("JAVA_HOME", "/nonexistent"), "bin")) \
        or shutil.which("jdeps")
    if jdeps is None:
        raise Failed("jdeps is missing: the module check needs a JDK (set JAVA_HOME)")
    jars, classes = {}, []
    for image in images.values():
        libs = image.path("/app/libs")
        for name in sorted(os.listdir(libs)):
            jars.setdefault(name, os.path.join(libs, name))
        classes.append(image.path("/app/classes"))
    result = subprocess.run([jdeps, "--multi-release", "17", "--ignore-missing-deps", "--print-module-deps",
                             "--class-path", os.pathsep.join(jars.values()), *classes],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise Failed(f"jdeps exited {result.returncode}: {result.stderr.strip()[-2000:]}")
    needed = set(result.stdout.strip().splitlines()[-1].split(","))
    missing = sorted(needed - runtime - left_out_modules())
    checks.ok(not missing, f"jdeps: every module the classpath needs is in the runtime or left out on purpose "
              f"({len(needed)} needed)", f"not in the runtime: {', '.join(missing)}: add each to "
              "deploy/image/java-modules (or leave it out there with the reason)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write(image, rel, text):
    path = image.path(rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)


def owned_by(image, rel, uid):
    found = [os.path.join(d, f) for d, _, fs in os.walk(image.path(rel)) for f in fs]
    return bool(found) and all(os.lstat(p).st_uid == uid for p in found), len(found)


def stop(process, name, checks):
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise Failed(f"{name} did not stop within {STOP_TIMEOUT}s of SIGTERM")
    # the JVM exits 143 (128 + SIGTERM) once its shutdown hooks have run
    checks.ok(code in (0, 143), f"{name}: stops on SIGTERM (exit {code})", f"exit {code}")


def process_status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def run_server_and_agent(server, agent, work, checks):
    port = free_port()
    write(server, SERVER_CONFIG, f"trustDomain: {TRUST_DOMAIN}\nbindAddress: 127.0.0.1\nserverPort: {port}\n")
    server_log = os.path.join(work, "server.log")
    agent_log = os.path.join(work, "agent.log")
    processes = []
    try:
        s = server.popen(server.settings.get("Cmd", []), server_log)
        processes.append((s, "server", server_log))
        code, out = server.run(["healthcheck", "-wait", HEALTH_WAIT])
        checks.ok(code == 0 and "Server is healthy." in out, "server: started from the image's command; "
                  "`healthcheck` says healthy", out.strip())
        st = process_status(s.pid)
        uid, _ = server.user()
        checks.ok(st["Uid"].split()[0] == str(uid) and int(st["CapEff"], 16) == 0,
                  f"server: the process runs as uid {uid} with no capabilities", f"{st['Uid']} {st['CapEff']}")
        written, count = owned_by(server, "/var/lib/meshca", uid)
        checks.ok(written, f"server: wrote its data dir volume as uid {uid} ({count} files)")

        code, out = server.run(["token", "generate", "-spiffeID", f"spiffe://{TRUST_DOMAIN}/node/smoke"])
        token = re.search(r"^Token: (\S+)$", out, re.M)
        checks.ok(code == 0 and token is not None, "server: `token generate` over the admin socket", out.strip())
        code, bundle = server.run(["bundle", "show"])
        checks.ok(code == 0 and "BEGIN CERTIFICATE" in bundle, "server: `bundle show`", bundle.strip())

        write(agent, "/etc/meshca/bundle.pem", bundle)
        write(agent, "/etc/meshca/join-token", token.group(1) + "\n")
        write(agent, AGENT_CONFIG, f"trustDomain: {TRUST_DOMAIN}\nserverAddress: 127.0.0.1\nserverPort: {port}\n"
              "trustBundle: /etc/meshca/bundle.pem\njoinTokenFile: /etc/meshca/join-token\n")
        a = agent.popen(agent.settings.get("Cmd", []), agent_log)
        processes.append((a, "agent", agent_log))
        code, out = agent.run(["healthcheck", "-socketPath", AGENT_SOCKET, "-wait", HEALTH_WAIT])
        checks.ok(code == 0 and "Agent is healthy." in out, "agent: started from the image's command, attested "
                  "with the join token; `healthcheck` on the socket volume says healthy", out.strip())
        uid, _ = agent.user()
        sock = os.lstat(agent.path(AGENT_SOCKET))
        checks.ok(sock.st_uid == uid, f"agent: its socket in {os.path.dirname(AGENT_SOCKET)} belongs to uid {uid}")
        written, count = owned_by(agent, "/var/lib/meshca-agent", uid)
        checks.ok(written, f"agent: wrote its data dir volume as uid {uid} ({count} files)")

        for p, name, _ in reversed(processes):
            stop(p, name, checks)
        processes.clear()
    except Failed:
        for _, name, log in processes:
            with open(log) as f:
                tail = f.read()[-4000:]
            print(f"--- the last of the {name}'s log ({log}):\n{tail}", file=sys.stderr)
        raise
    finally:
        for p, _, _ in processes:
            if p.poll() is None:
                p.kill()
                p.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=IMAGES["server"]["tar"])
    parser.add_argument("--agent", default=IMAGES["agent"]["tar"])
    parser.add_argument("--keep", action="store_true", help="keep the unpacked images and logs")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("image smoke test: SKIPPED: it must run as root (it chroots and mounts /proc and /dev)")
        return 0
    missing = [t for t in (args.server, args.agent) if not os.path.exists(t)]
    if missing:
        print(f"image smoke test: FAILED: no image tarball at {', '.join(missing)}: "
              "run ./mvnw -Pimages package -DskipTests first", file=sys.stderr)
        return 1
    for tool in ("unshare", "chroot", "mount", "sh"):
        if shutil.which(tool) is None:
            print(f"image smoke test: FAILED: {tool} is missing (util-linux, coreutils)", file=sys.stderr)
            return 1
    # host tools by absolute path: the processes get the image's environment, PATH included
    global UNSHARE, CHROOT
    UNSHARE, CHROOT = shutil.which("unshare"), shutil.which("chroot")

    checks = Checks()
    work = tempfile.mkdtemp(prefix="meshca-image-smoke.")
    started = time.monotonic()
    try:
        version = project_version()
        images = {}
        for name, tar in (("server", args.server), ("agent", args.agent)):
            print(f"== {name}: {tar}")
            images[name] = Image(name, tar, work, checks)
            check_config(images[name], IMAGES[name], version, checks)
        print("== the Java runtime")
        check_modules(images, checks)
        print("== server and agent from their images")
        run_server_and_agent(images["server"], images["agent"], work, checks)
        shared = {l["digest"] for l in images["server"].layers} & {l["digest"] for l in images["agent"].layers}
        for name, image in images.items():
            print(f"== {name}: {image.size_compressed() / 1e6:.1f} MB compressed (what a node pulls), "
                  f"{image.unpacked_size / 1e6:.1f} MB unpacked")
        shared_size = sum(l["size"] for l in images["server"].layers if l["digest"] in shared)
        print(f"== the images share {len(shared)} layers ({shared_size / 1e6:.1f} MB): a node pulls those once")
    except Failed as e:
        print(f"image smoke test: FAILED: {e}", file=sys.stderr)
        return 1
    finally:
        # no mount of the tests is visible here (they were private to namespaces that are gone), but
        # never let rmtree walk into one
        mounted = [os.path.join(d, x) for d, dirs, _ in os.walk(work) for x in dirs if os.path.ismount(os.path.join(d, x))]
        if args.keep or mounted:
            print(f"image smoke test: left {work} in place{' (mounted: ' + ', '.join(mounted) + ')' if mounted else ''}")
        else:
            shutil.rmtree(work)
    print(f"image smoke test: all {checks.passed} checks of both images held ({time.monotonic() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
