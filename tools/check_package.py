"""Build the wheel and the sdist, and run each from a clean virtualenv (``make package``).

The package is not on any index: users install the wheel or sdist that ``python -m build``
makes, or the clone itself. This does what they do, outside the source tree so that nothing
is imported from it: build both into a temporary directory, then for each of the wheel, the
sdist and the clone make a fresh virtualenv, ``pip install '<it>[cli]'``, and check that
``import insightly_async`` gives the installed copy, that ``insightly-async --help`` works,
and that the sandbox export (the Quick start's first command, which needs the packaged API
facts) writes its files.

Exit 0 when both pass; 1 with what failed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class CheckFailedError(Exception):
    """A step failed; the message says which, with its output."""


def run(command: list[str], cwd: Path) -> str:
    """Run ``command`` in ``cwd``; its output, or :class:`CheckFailedError` if it fails."""
    result = subprocess.run(  # noqa: S603 - our own commands, no shell
        command, cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        shown = " ".join(command)
        raise CheckFailedError(
            f"{shown} exited {result.returncode}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def build(outdir: Path) -> tuple[Path, Path]:
    """``python -m build`` (the sdist, then the wheel built from it) into ``outdir``."""
    run([sys.executable, "-m", "build", "--outdir", str(outdir), str(ROOT)], cwd=outdir)
    wheels = sorted(outdir.glob("insightly_async-*.whl"))
    sdists = sorted(outdir.glob("insightly_async-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        found = ", ".join(path.name for path in wheels + sdists)
        raise CheckFailedError(f"expected one wheel and one sdist in {outdir}, found {found}")
    return wheels[0], sdists[0]


def check_install(artifact: Path, workdir: Path) -> None:
    """Install ``artifact`` (a wheel, an sdist or the clone) with the ``cli`` extra into a new
    virtualenv, and run it there."""
    workdir.mkdir()
    env = workdir / "venv"
    venv.create(env, with_pip=True)
    bin_dir = env / "bin"
    python = str(bin_dir / "python")
    run([python, "-m", "pip", "install", "--quiet", f"{artifact}[cli]"], cwd=workdir)
    where = run([python, "-c", "import insightly_async; print(insightly_async.__file__)"], workdir)
    if not Path(where.strip()).is_relative_to(env):
        raise CheckFailedError(f"{artifact.name}: imported insightly_async from {where.strip()}")
    usage = run([str(bin_dir / "insightly-async"), "--help"], cwd=workdir)
    for command in ("export", "backfill", "sandbox", "quota"):
        if command not in usage:
            raise CheckFailedError(f"{artifact.name}: `insightly-async --help` lacks {command}")
    out = workdir / "export"
    export = [str(bin_dir / "insightly-async"), "export", "--sandbox", "--types", "contacts"]
    run([*export, "--out", str(out), "--no-progress"], cwd=workdir)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("state") != "complete" or not (out / "contacts.jsonl").stat().st_size:
        raise CheckFailedError(f"{artifact.name}: the sandbox export is incomplete: {manifest}")


def main() -> int:
    """Build, install and run the artifacts and the clone; 0 if all is well."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="insightly-package-") as tmp:
        base = Path(tmp)
        try:
            wheel, sdist = build(base)
            installs = ((wheel, "wheel"), (sdist, "sdist"), (ROOT, "clone"))
            with ThreadPoolExecutor(max_workers=len(installs)) as pool:
                checks = [
                    pool.submit(check_install, artifact, base / name) for artifact, name in installs
                ]
                for check in checks:
                    check.result()
        except CheckFailedError as exc:
            sys.stderr.write(f"package check failed: {exc}\n")
            return 1
    elapsed = time.monotonic() - started
    built = f"{wheel.name}, {sdist.name} and the clone"
    sys.stdout.write(f"package: {built} install and run in clean virtualenvs ({elapsed:.0f} s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
