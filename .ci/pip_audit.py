"""Run pip-audit on requirements.txt and judge its answer.

- A known vulnerability fails the run, unless its id is written down, with a reason, in
  .ci/pip-audit-exceptions.txt.
- When the vulnerability service cannot be reached (no network, or an index that does not
  serve PyPI's JSON API, so every package comes back "could not be audited"), the step says so
  plainly and does not fail: an audit that could not run is not a finding.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCEPTIONS = ROOT / ".ci" / "pip-audit-exceptions.txt"


def exceptions() -> dict[str, str]:
    found = {}
    for line in EXCEPTIONS.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            vuln_id, _, reason = line.partition(" ")
            if not reason.strip():
                sys.exit(f"pip-audit: exception {vuln_id} has no written reason")
            found[vuln_id] = reason.strip()
    return found


def judge(report: dict | None, error: str, allowed: dict[str, str]) -> tuple[int, list[str]]:
    """The exit code and the lines to print for one pip-audit JSON report."""
    if not report or "dependencies" not in report:
        return 0, [f"pip-audit: CANNOT REACH the vulnerability service ({error}); nothing audited"]
    dependencies = report["dependencies"]
    audited = [d for d in dependencies if "skip_reason" not in d]
    findings = [
        (d["name"], d["version"], v["id"], v.get("fix_versions", []))
        for d in audited
        for v in d.get("vulns", [])
    ]
    unexplained = [f for f in findings if f[2] not in allowed]
    lines = []
    for name, version, vuln_id, fixes in findings:
        note = f"EXCEPTION: {allowed[vuln_id]}" if vuln_id in allowed else "FINDING"
        lines.append(
            f"pip-audit: {name} {version} {vuln_id} (fixed in {fixes or 'no release'}) {note}"
        )
    if not audited:
        lines.append(
            f"pip-audit: CANNOT REACH the vulnerability service: all {len(dependencies)} "
            "packages came back 'could not be audited'; nothing audited"
        )
        return 0, lines
    lines.append(
        f"pip-audit: {len(audited)} of {len(dependencies)} packages audited, "
        f"{len(findings)} known vulnerabilities, {len(unexplained)} without a written exception"
    )
    return (1 if unexplained else 0), lines


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "audit.json"
        result = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "pip_audit",
                "-r",
                str(ROOT / "requirements.txt"),
                "--progress-spinner",
                "off",
                "--format",
                "json",
                "--output",
                str(report_path),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        report = json.loads(report_path.read_text()) if report_path.exists() else None
    error = (result.stderr.strip().splitlines() or ["no output"])[-1]
    code, lines = judge(report, error, exceptions())
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
