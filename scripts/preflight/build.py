"""`make build-<Fn>Function ARTIFACTS_DIR=<dir>`, as `sam build` calls it,
must leave an arm64 Linux ELF `bootstrap` in <dir>."""

import os
import struct
import subprocess
import tempfile

EM_AARCH64 = 0xB7


def functions(source_template):
    """Logical ids of the makefile-built functions."""
    return sorted(k for k, r in source_template.get("Resources", {}).items()
                  if r.get("Type") == "AWS::Serverless::Function" and r.get("Metadata", {}).get("BuildMethod") == "makefile")


def check(source_template, repo):
    problems = []
    with tempfile.TemporaryDirectory(prefix="preflight-build-") as tmp:
        jobs = {}
        for i, fn in enumerate(functions(source_template)):
            out = os.path.join(tmp, fn)
            os.makedirs(out)
            jobs[fn] = (out, subprocess.Popen(["make", "-s", "-C", repo, f"build-{fn}", f"ARTIFACTS_DIR={out}"],
                                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
            if i == 0:
                # The first build fills the arm64 build cache the others
                # share; run in parallel, they would compile it four times.
                jobs[fn][1].wait()
        for fn, (out, proc) in jobs.items():
            log = proc.communicate()[0].decode(errors="replace")
            if proc.returncode != 0:
                problems.append(f"{fn}: make build-{fn} failed:\n{log}")
                continue
            msg = elf_arm64(os.path.join(out, "bootstrap"))
            if msg:
                problems.append(f"{fn}: make build-{fn}: {msg}")
    return problems


def elf_arm64(path):
    """None if path is a 64-bit little-endian Linux ELF executable for arm64."""
    try:
        with open(path, "rb") as f:
            head = f.read(20)
    except OSError:
        return "no bootstrap in ARTIFACTS_DIR"
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return "bootstrap is not an ELF file"
    if head[4] != 2 or head[5] != 1:
        return "bootstrap is not a 64-bit little-endian ELF"
    (e_type, e_machine) = struct.unpack_from("<HH", head, 16)
    if e_machine != EM_AARCH64:
        return f"bootstrap is for machine {e_machine:#x}, not arm64 ({EM_AARCH64:#x})"
    if e_type != 2:
        return f"bootstrap is not an executable (e_type {e_type})"
    if not os.access(path, os.X_OK):
        return "bootstrap is not executable"
    return None
