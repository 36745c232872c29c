"""The seams between domains, read from the source: who may import whom, and the one place the
"public report" rule is written. Behaviour tests elsewhere prove the rule; these keep it single."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "reportit"


def imports(module: Path) -> set[str]:
    """Every module `module` imports, at any depth (function-level imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(), str(module))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def sources(package: str) -> list[Path]:
    return sorted(p for p in (PACKAGE / package).rglob("*.py") if "migrations" not in p.parts)


def offenders(package: str, forbidden: str) -> list[str]:
    return [f"{path.relative_to(PACKAGE)} imports {name}" for path in sources(package) for name in sorted(imports(path))
            if name == forbidden or name.startswith(forbidden + ".")]


def test_the_reports_domain_imports_nothing_from_push():
    assert sources("reports")
    assert offenders("reports", "reportit.push") == []


def test_the_accounts_domain_imports_neither_reports_nor_push():
    assert sources("accounts")
    assert offenders("accounts", "reportit.push") == []
    assert offenders("accounts", "reportit.reports") == []


def test_the_console_changes_follows_only_through_push_functions():
    assert offenders("console", "reportit.push.tables") == []


def test_imports_are_found_wherever_they_are_written(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import reportit.push\ndef f():\n    from reportit.push.fanout import enqueue_status_change\n")
    assert {"reportit.push", "reportit.push.fanout", "reportit.push.fanout.enqueue_status_change"} <= imports(module)


# A decision on the report's private flag: a comparison in SQL, or a test of it in Python.
PRIVATE_RULE = re.compile(
    r"""\.private\s*==|\.private\.eq\(|not\s+[\w.]+\[["'][\w.]*private["']\]"""
    r"""|\[["'][\w.]*private["']\]\s+(or|and)\b|if\s+[\w.]+\[["'][\w.]*private["']\]\s*:"""
)


def test_the_public_report_rule_is_written_once():
    written = [f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
               for path in sorted(PACKAGE.rglob("*.py")) if "migrations" not in path.parts and path.name != "visibility.py"
               for number, line in enumerate(path.read_text().splitlines(), 1) if PRIVATE_RULE.search(line)]
    assert written == [], "use reportit.reports.visibility (is_public / public_where) instead"


def test_the_rule_check_recognises_the_ways_it_was_written_before():
    for line in ['PUBLIC = (Report.private == False) & (Report.hidden == False)',
                 'if report["private"] or report["hidden"]:',
                 'public = any(not r["hidden"] and not r["report.private"] for r in rows)',
                 '        if row["private"]:']:
        assert PRIVATE_RULE.search(line), line


def written_outside(pattern: str, home: str) -> list[str]:
    return [str(path.relative_to(PACKAGE)) for path in sorted(PACKAGE.rglob("*.py"))
            if "migrations" not in path.parts and str(path.relative_to(PACKAGE)) != home and pattern in path.read_text()]


def test_contact_rules_and_base64url_each_have_one_home():
    assert written_outside(r"[^@\s]+@", "contact.py") == []
    assert written_outside("urlsafe_b64", "push/base64url.py") == []
