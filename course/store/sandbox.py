"""Parsing TOML from other people in a child process with memory and CPU limits.

`tomllib` can be made to use gigabytes and seconds by a small file (a 39 KiB dotted key took 3.6 s
and 1.5 GiB), so a course that is not the built-in one is parsed by a separate Python process
limited to MEMORY_LIMIT of address space and given CPU_SECONDS of CPU time and WALL_SECONDS per
file. One process serves every file of one course or batch of share files (so a batch costs one
start, about 20 ms); when a file hits a limit the process is ended and the next file gets a fresh
one. The CPU limit is per file, not per process: before each text the child moves its RLIMIT_CPU
soft limit to the CPU time it has used so far plus CPU_SECONDS, so four hundred files that each
parse well within the limit are all read, however long the batch takes in all. The limits are read
when a child starts, so a test can lower them.

Protocol on the pipes: a 4-byte big-endian length and the UTF-8 text in; a 4-byte length and a
pickle of ("ok", dict) | ("error", message) | ("limit", reason) out. The pickle is made by our own
child from plain TOML values (str, int, float, bool, date/time, list, dict).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import struct
import subprocess
import sys
import time
from typing import Any

MEMORY_LIMIT = 256 * 1024 * 1024
CPU_SECONDS = 2
WALL_SECONDS = 5.0

WORKER = """
import math, pickle, resource, struct, sys, tomllib
memory, cpu = int(sys.argv[1]), int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
_, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)

def cpu_budget():
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(used.ru_utime + used.ru_stime) + cpu
    if cpu_hard != resource.RLIM_INFINITY:
        soft = min(soft, cpu_hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, cpu_hard))

inp, out = sys.stdin.buffer, sys.stdout.buffer
while True:
    head = inp.read(4)
    if len(head) < 4:
        break
    raw = inp.read(struct.unpack(">I", head)[0])
    cpu_budget()  # this text's own CPU_SECONDS, whatever the texts before it used
    try:
        result = ("ok", tomllib.loads(raw.decode("utf-8")))
    except RecursionError:
        result = ("limit", "recursion")
    except MemoryError:
        result = ("limit", "memory")
    except (tomllib.TOMLDecodeError, ValueError) as err:
        result = ("error", str(err))
    blob = pickle.dumps(result)
    out.write(struct.pack(">I", len(blob)) + blob)
    out.flush()
"""


class TomlSandbox:
    """A child process that parses TOML texts one at a time, within limits."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", WORKER, str(MEMORY_LIMIT), str(CPU_SECONDS)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={"PATH": os.environ.get("PATH", "")},
            )
        return self.proc

    def parse(self, text: str) -> tuple[str, Any]:
        """("ok", data), ("error", tomllib's message) or ("limit", what was hit)."""
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        data = text.encode("utf-8", "surrogatepass")
        try:
            proc.stdin.write(struct.pack(">I", len(data)) + data)
            proc.stdin.flush()
        except OSError:
            self.close()
            return ("limit", "the parser stopped")
        deadline = time.monotonic() + WALL_SECONDS
        head = self._read(proc, 4, deadline)
        body = self._read(proc, struct.unpack(">I", head)[0], deadline) if head is not None else None
        if body is None:
            self.close()
            return ("limit", "time or memory")
        try:
            kind, value = pickle.loads(body)
        except Exception:  # a damaged answer from our own child: treat it as a limit, never trust it
            self.close()
            return ("limit", "no answer")
        if kind == "limit":
            self.close()
        return (str(kind), value)

    @staticmethod
    def _read(proc: subprocess.Popen[bytes], size: int, deadline: float) -> bytes | None:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        chunks: list[bytes] = []
        need = size
        while need > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, min(need, 1 << 20))
            if not chunk:
                return None  # the child ended: a limit killed it
            chunks.append(chunk)
            need -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """End the child process (it is never left running)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        if proc.poll() is None:
            try:
                proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
