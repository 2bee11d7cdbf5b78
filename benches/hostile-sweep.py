#!/usr/bin/env python3
"""Reruns the hostile-input families over every real lockfile of the shared data and counts
what must never happen: a wrong exit code, a hang, and a silent loss (exit 0 with fewer
packages than the intact file).

    benches/hostile-sweep.py [--cases N] [--seed S] [--timeout SECONDS] [--data DIR]
                             [--only TEXT]

Families, per lockfile: truncation at pseudo-random byte points, byte flips, random junk,
empty / whitespace / byte-order-mark-only / UTF-16 files, and deep nesting. Each variant is
written (with the files a parser reads beside it: package.json, Cargo.toml, ...) into a
temporary directory and run through `depgate sbom FILE --format cyclonedx-json`; the
components of the SBOM are the package count. DEPGATE names the binary (default
target/release/depgate, built if missing). Prints a Markdown table per family, then every
bad case.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

LOCKFILE_NAMES = {
    "Cargo.lock", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
    "poetry.lock", "uv.lock", "Pipfile.lock", "go.mod", "Gemfile.lock", "composer.lock",
    "packages.lock.json", "gradle.lockfile", "pom.xml",
}
# Files beside a lockfile that its parser reads (cross-checks), copied with each variant.
BESIDE = ["package.json", ".yarnrc.yml", "pyproject.toml", "go.sum", "Cargo.toml"]
JSON_FORMATS = {"package-lock.json", "npm-shrinkwrap.json", "Pipfile.lock", "composer.lock",
                "packages.lock.json"}
YAML_FORMATS = {"pnpm-lock.yaml", "yarn.lock"}
TOML_FORMATS = {"Cargo.lock", "poetry.lock", "uv.lock"}


def lockfiles(data: Path):
    found = []
    for directory, _, names in os.walk(data / "lockfiles"):
        for name in names:
            path = Path(directory) / name
            if name in LOCKFILE_NAMES or (name.endswith(".txt") and (
                    name.startswith("requirements") or Path(directory).name == "requirements")):
                found.append(path)
    return sorted(found)


def nesting(name: str, depth: int) -> bytes:
    if name in JSON_FORMATS:
        return b"[" * depth
    if name in YAML_FORMATS:
        return b"a: " + b"[" * depth + b"\n"
    if name in TOML_FORMATS:
        return b"a = " + b"[" * depth + b"\n"
    if name == "pom.xml":
        return b"<project>" + b"<a>" * depth + b"\n"
    return b"(" * depth + b"\n"


def variants(path: Path, intact: bytes, cases: int, rng: random.Random):
    """(family, description, bytes, what is acceptable) for one lockfile."""
    name = path.name
    for _ in range(cases):
        point = rng.randrange(1, max(2, len(intact)))
        yield "truncation", f"cut at byte {point}", intact[:point], "error-or-whole"
    for _ in range(cases):
        flipped = bytearray(intact)
        index = rng.randrange(len(flipped))
        flipped[index] ^= 1 << rng.randrange(8)
        yield "byte flip", f"bit flip at byte {index}", bytes(flipped), "error-or-whole"
    for size in (16, 4096):
        junk = bytes(rng.randrange(256) for _ in range(size))
        yield "junk", f"{size} random bytes", junk, "error"
    yield "junk", "intact file with junk appended", intact + b"\x00\xff junk {[", "error-or-whole"
    yield "empty", "0 bytes", b"", "nothing"
    yield "empty", "whitespace only", b"  \n\t\n", "nothing"
    yield "empty", "byte-order mark only", b"\xef\xbb\xbf", "nothing"
    yield "empty", "byte-order mark + intact file", b"\xef\xbb\xbf" + intact, "whole"
    yield "empty", "UTF-16", intact.decode("utf-8", "replace").encode("utf-16"), "error"
    for depth in (1000, 100000):
        yield "deep nesting", f"{depth} levels", nesting(name, depth), "error"


def run(depgate: Path, target: Path, timeout: float):
    """(exit code or 'hang', package count or None, stderr)."""
    try:
        result = subprocess.run(
            [str(depgate), "sbom", str(target), "--format", "cyclonedx-json"],
            capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hang", None, ""
    count = None
    if result.returncode == 0:
        try:
            count = len(json.loads(result.stdout).get("components", []))
        except ValueError:
            count = None
    return result.returncode, count, result.stderr.decode("utf-8", "replace")


def judge(acceptable: str, code, count, whole: int, reported: bool = False):
    """None when fine, else the kind of problem. A loss the run reports (a warning naming the
    file and the line, which is also a coverage gap in `check`'s report) is a "reported loss",
    not a silent one."""
    if code == "hang":
        return "hang"
    if code not in (0, 2, 3):
        return "wrong exit code"
    if code == 0 and count is None:
        return "wrong exit code"
    if acceptable == "error":
        return None if code in (2, 3) else "wrong exit code"
    if acceptable == "nothing":
        return None if code in (2, 3) else "wrong exit code"
    if acceptable == "whole":
        if code != 0:
            return "wrong exit code"
        return None if count >= whole else loss(reported)
    # error-or-whole
    if code in (2, 3):
        return None
    return None if count >= whole else loss(reported)


def loss(reported: bool) -> str:
    return "reported loss" if reported else "silent loss"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=8, help="cuts and flips per lockfile")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--only", default="",
                        help="only lockfiles whose path holds this text (e.g. `yarn.lock`)")
    arguments = parser.parse_args()
    if not arguments.data.is_dir():
        print(f"error: no shared data at {arguments.data} (use --data)", file=sys.stderr)
        return 2
    depgate = Path(os.environ.get("DEPGATE", REPO / "target" / "release" / "depgate"))
    if not depgate.exists():
        subprocess.run(["cargo", "build", "--release", "--locked", "--bin", "depgate"],
                       cwd=REPO, check=True)
    rng = random.Random(arguments.seed)
    families = {}
    bad = []
    with tempfile.TemporaryDirectory(prefix="depgate-sweep.") as scratch:
        scratch = Path(scratch)
        chosen = [lockfile for lockfile in lockfiles(arguments.data)
                  if arguments.only in str(lockfile)]
        for number, lockfile in enumerate(chosen):
            intact = lockfile.read_bytes()
            work = scratch / str(number)
            work.mkdir()
            for beside in BESIDE:
                if (lockfile.parent / beside).is_file() and beside != lockfile.name:
                    shutil.copy(lockfile.parent / beside, work / beside)
            if lockfile.parent.name == "requirements":
                work = work / "requirements"
                work.mkdir()
            target = work / lockfile.name
            target.write_bytes(intact)
            code, whole, stderr = run(depgate, target, arguments.timeout)
            if code != 0:
                print(f"skipped (intact file gives exit {code}): {lockfile}\n  {stderr.strip()}",
                      file=sys.stderr)
                continue
            for family, description, content, acceptable in variants(
                    lockfile, intact, arguments.cases, rng):
                target.write_bytes(content)
                code, count, stderr = run(depgate, target, arguments.timeout)
                reported = re.search(rf"`[^`]*{re.escape(lockfile.name)}` line \d+", stderr)
                problem = judge(acceptable, code, count, whole, reported is not None)
                tally = families.setdefault(family, {"runs": 0, "wrong exit code": 0, "hang": 0,
                                                     "silent loss": 0, "reported loss": 0})
                tally["runs"] += 1
                if problem:
                    tally[problem] += 1
                    bad.append((problem, lockfile, description, code, count, whole,
                                stderr.strip().splitlines()[:1]))
            print(f"{lockfile.relative_to(arguments.data)}: done", file=sys.stderr)
    print("| family | runs | wrong exit code | hangs | silent losses | losses reported at their line |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    total = {"runs": 0, "wrong exit code": 0, "hang": 0, "silent loss": 0, "reported loss": 0}
    for family, tally in families.items():
        print(f"| {family} | {tally['runs']} | {tally['wrong exit code']} | {tally['hang']} "
              f"| {tally['silent loss']} | {tally['reported loss']} |")
        for key in total:
            total[key] += tally[key]
    print(f"| all | {total['runs']} | {total['wrong exit code']} | {total['hang']} "
          f"| {total['silent loss']} | {total['reported loss']} |")
    for problem, lockfile, description, code, count, whole, first_line in bad:
        print(f"- {problem}: `{lockfile.relative_to(arguments.data)}` {description}: exit {code}, "
              f"{count} of {whole} packages {first_line}")
    return 1 if any(problem != "reported loss" for problem, *_ in bad) else 0


if __name__ == "__main__":
    sys.exit(main())
