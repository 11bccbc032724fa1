"""Commands that never validate or serve start without the parsers and the HTTP stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("sqlglot", "jsonschema", "aiohttp", "httpx")


def loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    modules: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return [m for m in HEAVY if m in modules]


def test_importing_the_key_store_loads_no_parser() -> None:
    assert loaded_after("import registry.core.keys") == []


def test_keys_list_loads_no_parser_and_no_http_stack(tmp_path: Path) -> None:
    code = f"from registry.ops.cli import main\nmain(['keys', 'list', '--data-dir', {str(tmp_path)!r}])"
    assert loaded_after(code) == []


@pytest.mark.parametrize("fmt", ["sql", "json_schema"])
def test_a_validator_is_loaded_on_first_use(fmt: str) -> None:
    parser = {"sql": "sqlglot", "json_schema": "jsonschema"}[fmt]
    assert parser not in loaded_after("import registry.formats")
    assert parser in loaded_after(f"import registry.formats\nregistry.formats.validate({fmt!r}, '{{}}')")
