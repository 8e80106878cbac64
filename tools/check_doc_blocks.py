"""Type-check every Python block of the project's Markdown docs with ``mypy --strict``.

    python tools/check_doc_blocks.py        # exit 1 when a block does not type-check

Each ```python block of the READMEs becomes a module of its own; a block
that awaits at top level (as the docs show async code) is checked as the
body of an ``async def``. So the docs cannot drift into code that does not
type-check. ``.ci/run`` runs it.
"""

from __future__ import annotations

import ast
import re
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ["README.md", "relay_sync/README.md", "relay_anyio/testing/README.md", "docs/protocol.md",
        "benchmarks/README.md", "tests/reliability/README.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[str, int, str]]:
    """(doc, line, source) for every Python block."""
    found = []
    for doc in DOCS:
        path = ROOT / doc
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            found.append((doc, text.count("\n", 0, match.start()) + 2, match.group(1)))
    return found


def awaits_at_top_level(source: str) -> bool:
    tree = compile(source, "<block>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)

    def top_level(node: ast.AST) -> bool:
        if isinstance(node, (ast.Await, ast.AsyncWith, ast.AsyncFor)):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return False
        return any(top_level(child) for child in ast.iter_child_nodes(node))

    return top_level(tree)


def as_module(source: str) -> str:
    if not awaits_at_top_level(source):
        return source
    return "async def _block() -> None:\n" + textwrap.indent(source, "    ")


def main() -> int:
    from mypy import api

    found = blocks()
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for i, (doc, line, source) in enumerate(found):
            name = Path(tmp) / f"block_{i:02d}.py"
            name.write_text(as_module(source), encoding="utf-8")
            files[name.name] = f"{doc}:{line}"
        out, err, status = api.run(["--strict", "--no-incremental", "--config-file", str(ROOT / "pyproject.toml"), tmp])
    for line in out.splitlines():
        head, _, rest = line.partition(":")
        where = files.get(Path(head).name)
        print(f"{where} (block line {rest}" if where else line)
    print(err, end="", file=sys.stderr)
    print(f"{len(found)} Python blocks in {len(DOCS)} documents checked")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
