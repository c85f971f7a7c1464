"""Driver of bench/lifecycle.sh (see there)."""
import json, os, socket, statistics, subprocess, sys, tempfile, time

VIREO = os.path.abspath("target/release/vireo")
KERNEL, INITRD = "guest/out/Image", "guest/out/initrd.cpio.gz"
RUNS = int(os.environ.get("RUNS", "10"))
CLONES = int(os.environ.get("CLONES", "20"))
tmp = tempfile.mkdtemp(prefix="vireo-bench-")


def api(sock, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data)
    resp = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        resp += b
    head, _, body = resp.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    if status >= 300:
        raise RuntimeError(f"{method} {path}: {status} {body.decode()}")
    return json.loads(body) if body.strip() else None


def wait_sock(sock):
    for _ in range(1000):
        try:
            api(sock, "GET", "/")
            return
        except (OSError, RuntimeError):
            time.sleep(0.01)
    raise RuntimeError(f"{sock} never answered")


def spawn(args, out=subprocess.DEVNULL):
    return subprocess.Popen([VIREO, "run", *args], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL)


def template(mem, name):
    """Boot a guest with `mem` of RAM to its shell, snapshot it."""
    sock = f"{tmp}/{name}.sock"
    log = open(f"{tmp}/{name}.log", "wb")
    p = spawn(["--kernel", KERNEL, "--initrd", INITRD, "--append", "console=ttyS0 quiet",
               "-m", mem, "--api-sock", sock], out=log)
    deadline = time.time() + 300
    while b"vireo:/# " not in open(f"{tmp}/{name}.log", "rb").read():
        if time.time() > deadline or p.poll() is not None:
            raise RuntimeError(f"{name}: the guest did not boot")
        time.sleep(0.2)
    time.sleep(1)
    api(sock, "PATCH", "/vm", {"state": "Paused"})
    snap, memf = f"{tmp}/{name}.snap", f"{tmp}/{name}.mem"
    api(sock, "PUT", "/snapshot/create", {"snapshot_path": snap, "mem_file_path": memf})
    p.kill()
    p.wait()
    return snap, memf


def restore(snap, memf, sock):
    p = spawn(["--api-sock", sock])
    wait_sock(sock)
    t0 = time.perf_counter()
    api(sock, "PUT", "/snapshot/load", {"snapshot_path": snap, "mem_file_path": memf, "resume_vm": True})
    wall = time.perf_counter() - t0
    for _ in range(200):
        m = api(sock, "GET", "/metrics")
        if m["lifecycle"]["restore_to_first_insn_us"]:
            break
        time.sleep(0.005)
    return p, m["lifecycle"], wall


def smaps_rollup(pid):
    r = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        parts = line.split()
        if len(parts) >= 3 and parts[2] == "kB":
            r[parts[0].rstrip(":")] = int(parts[1])
    return r


def mem_available():
    for line in open("/proc/meminfo"):
        if line.startswith("MemAvailable:"):
            return int(line.split()[1])


def qmp(path):
    """A connected QMP session (capabilities negotiated)."""
    s = socket.socket(socket.AF_UNIX)
    for _ in range(1000):
        try:
            s.connect(path)
            break
        except OSError:
            time.sleep(0.005)
    f = s.makefile("rwb", buffering=0)
    f.readline()
    qmp_cmd(f, "qmp_capabilities")
    return s, f


def qmp_cmd(f, cmd, **args):
    f.write(json.dumps({"execute": cmd, "arguments": args}).encode() + b"\n")
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            return r


def qemu_args(mem, qsock):
    return ["qemu-system-riscv64", "-M", "virt", "-m", mem, "-nographic", "-monitor", "none",
            "-kernel", KERNEL, "-initrd", INITRD, "-append", "console=ttyS0 quiet",
            "-qmp", f"unix:{qsock},server=on,wait=off"]


def qemu_template(mem, name):
    """Boot the same guest on QEMU to its shell and save it to a file."""
    qsock, log = f"{tmp}/{name}.qmp", f"{tmp}/{name}.qlog"
    p = subprocess.Popen(qemu_args(mem, qsock), stdin=subprocess.DEVNULL, stdout=open(log, "wb"), stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while b"vireo:/# " not in open(log, "rb").read():
        if time.time() > deadline or p.poll() is not None:
            raise RuntimeError(f"{name}: QEMU did not boot")
        time.sleep(0.2)
    time.sleep(1)
    s, f = qmp(qsock)
    qmp_cmd(f, "stop")
    state = f"{tmp}/{name}.qemu-state"
    qmp_cmd(f, "migrate", uri=f"exec:cat > {state}")
    while qmp_cmd(f, "query-migrate")["return"].get("status") != "completed":
        time.sleep(0.05)
    qmp_cmd(f, "quit")
    p.wait()
    return state


def qemu_restore(mem, state, qsock):
    """Seconds from starting QEMU with -incoming to the guest running."""
    t0 = time.perf_counter()
    p = subprocess.Popen(qemu_args(mem, qsock) + ["-incoming", f"exec:cat {state}"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    s, f = qmp(qsock)
    while True:
        status = qmp_cmd(f, "query-status")["return"]["status"]
        if status == "running":
            break
        if status not in ("inmigrate", "prelaunch"):
            # Incoming migration done; the saved VM was stopped, so QEMU
            # waits paused: continue it.
            qmp_cmd(f, "cont")
        time.sleep(0.001)
    t = time.perf_counter() - t0
    p.kill()
    p.wait()
    return t


print("== restore latency (median of %d restores), vireo and qemu-system-riscv64 ==" % RUNS)
print("vireo: a waiting `vireo run --api-sock` process gets PUT /snapshot/load (resume_vm);")
print("qemu: `qemu-system-riscv64 -incoming exec:cat STATE` of the same guest, until QMP reports running.")
print(f"{'guest RAM':>10} {'vireo load':>11} {'vireo to 1st insn':>18} {'vireo start+restore':>20} {'qemu start+restore':>19} {'qemu/vireo':>11}")
for mem in ["256M", "1G", "4G"]:
    snap, memf = template(mem, f"t{mem}")
    qstate = qemu_template(mem, f"q{mem}")
    loads, firsts, starts, qemus = [], [], [], []
    for i in range(RUNS):
        sock = f"{tmp}/r{mem}-{i}.sock"
        t0 = time.perf_counter()
        p, lc, wall = restore(snap, memf, sock)
        starts.append((time.perf_counter() - t0) * 1000)
        loads.append(lc["snapshot_load_us"] / 1000)
        firsts.append(lc["restore_to_first_insn_us"] / 1000)
        p.kill()
        p.wait()
        qemus.append(qemu_restore(mem, qstate, f"{tmp}/qr{mem}-{i}.qmp") * 1000)
    med = statistics.median
    print(f"{mem:>10} {med(loads):>8.2f} ms {med(firsts):>15.2f} ms {med(starts):>17.1f} ms {med(qemus):>16.1f} ms {med(qemus) / med(starts):>11.1f}")
    os.remove(memf)
    os.remove(qstate)

print(f"\n== {CLONES} clones of one 512 MiB template ==")
snap, memf = template("512M", "tmpl")
# Warm the page cache with the template so the figure is about sharing.
subprocess.run(["cat", memf], stdout=subprocess.DEVNULL, check=True)
before = mem_available()
t0 = time.perf_counter()
procs = []
for i in range(CLONES):
    p, _, _ = restore(snap, memf, f"{tmp}/c{i}.sock")
    procs.append(p)
start_all = time.perf_counter() - t0
time.sleep(3)  # let the clones run their idle guests
rss = sum(smaps_rollup(p.pid)["Rss"] for p in procs)
pss = sum(smaps_rollup(p.pid)["Pss"] for p in procs)
used = before - mem_available()
ram = CLONES * 512 * 1024
print(f"time to start {CLONES} clones: {start_all * 1000:.0f} ms ({start_all * 1000 / CLONES:.1f} ms each, sequentially)")
print(f"sum of RSS: {rss / 1024:.0f} MiB, sum of PSS: {pss / 1024:.0f} MiB, MemAvailable drop: {used / 1024:.0f} MiB")
print(f"host memory (MemAvailable drop) / ({CLONES} x guest RAM): {used / ram:.3f}")
for p in procs:
    p.kill()
    p.wait()

print("\n== idle guest: VMM memory beyond guest RAM ==")
sock = f"{tmp}/idle.sock"
log = open(f"{tmp}/idle.log", "wb")
p = spawn(["--kernel", KERNEL, "--initrd", INITRD, "--append", "console=ttyS0 quiet", "-m", "512M", "--api-sock", sock], out=log)
while b"vireo:/# " not in open(f"{tmp}/idle.log", "rb").read():
    time.sleep(0.2)
time.sleep(3)
ram_rss = other = 0
cur = None
for line in open(f"/proc/{p.pid}/smaps"):
    f = line.split()
    if "-" in f[0] and len(f) >= 5:
        a, b = (int(x, 16) for x in f[0].split("-"))
        cur = b - a
    elif f[0] == "Rss:":
        # The kernel may merge guest RAM with an adjacent anonymous
        # mapping (vireo's page-flag array, 128 KiB): count the mapping
        # that holds RAM as RAM.
        if cur >= 512 << 20:
            ram_rss += int(f[1])
        else:
            other += int(f[1])
print(f"guest RAM resident: {ram_rss / 1024:.1f} MiB; everything else (VMM code, heap, threads, caches): {other / 1024:.1f} MiB")
p.kill()
p.wait()
subprocess.run(["rm", "-rf", tmp])
