"""The CI step that judges pip-audit's report (.ci/pip_audit.py)."""

import importlib.util

from practiceops.testing import BASE_DIR

spec = importlib.util.spec_from_file_location("pip_audit_step", BASE_DIR / ".ci" / "pip_audit.py")
step = importlib.util.module_from_spec(spec)
spec.loader.exec_module(step)

CLEAN = {"name": "django", "version": "5.2.19", "vulns": []}
VULNERABLE = {
    "name": "django",
    "version": "5.2.19",
    "vulns": [{"id": "GHSA-xxxx", "fix_versions": ["5.2.20"]}],
}
SKIPPED = {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}


def test_a_finding_fails_unless_written_down():
    code, lines = step.judge({"dependencies": [CLEAN, VULNERABLE]}, "", {})
    assert code == 1
    assert "GHSA-xxxx" in lines[0] and "FINDING" in lines[0]
    code, lines = step.judge({"dependencies": [VULNERABLE]}, "", {"GHSA-xxxx": "not reachable"})
    assert code == 0 and "EXCEPTION: not reachable" in lines[0]


def test_no_findings_passes():
    code, lines = step.judge({"dependencies": [CLEAN]}, "", {})
    assert code == 0
    assert lines == [
        "pip-audit: 1 of 1 packages audited, 0 known vulnerabilities, 0 without a written exception"
    ]


def test_an_unreachable_service_is_said_plainly_and_tolerated():
    code, lines = step.judge({"dependencies": [SKIPPED, SKIPPED]}, "", {})
    assert code == 0 and "CANNOT REACH" in lines[-1]
    code, lines = step.judge(None, "ConnectionError: Max retries exceeded", {})
    assert code == 0 and "CANNOT REACH" in lines[0] and "ConnectionError" in lines[0]
    # A partly reachable service still fails on what it did find.
    code, _ = step.judge({"dependencies": [SKIPPED, VULNERABLE]}, "", {})
    assert code == 1


def test_the_exceptions_file_has_reasons():
    assert isinstance(step.exceptions(), dict)
