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


print("== restore latency (median of %d restores) ==" % RUNS)
print(f"{'guest RAM':>10} {'load (ms)':>10} {'to first insn (ms)':>19} {'API call (ms)':>14}")
for mem in ["256M", "1G", "4G"]:
    snap, memf = template(mem, f"t{mem}")
    loads, firsts, walls = [], [], []
    for i in range(RUNS):
        sock = f"{tmp}/r{mem}-{i}.sock"
        p, lc, wall = restore(snap, memf, sock)
        loads.append(lc["snapshot_load_us"] / 1000)
        firsts.append(lc["restore_to_first_insn_us"] / 1000)
        walls.append(wall * 1000)
        p.kill()
        p.wait()
    print(f"{mem:>10} {statistics.median(loads):>10.2f} {statistics.median(firsts):>19.2f} {statistics.median(walls):>14.2f}")
    os.remove(memf)

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
