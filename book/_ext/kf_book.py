"""Sphinx settings for the book that Jupyter Book's configuration file cannot express.

Jupyter Book 1 always loads sphinx-thebe (live code cells run on a remote
server). This book runs nothing in the reader's browser, but the extension still
writes into every page a script naming the remote host it would fetch from (twice,
so the second copy throws a JavaScript error) and a configuration block naming a
remote repository. Both are taken out before any page is written; nothing else
of the extension is used.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _is_thebe(filename: str | None, attributes: dict[str, Any]) -> bool:
    return "thebe" in (filename or "") or "THEBE_JS_URL" in str(attributes.get("body", ""))


def _drop_thebe(app: Sphinx, env: Any, docnames: list[str]) -> None:
    """Remove the thebe scripts and configuration that sphinx-thebe registered just before."""
    app.registry.js_files[:] = [(f, a) for f, a in app.registry.js_files if not _is_thebe(f, a)]
    builder_files = getattr(app.builder, "_js_files", None)
    if builder_files is not None:
        builder_files[:] = [js for js in builder_files if not _is_thebe(js.filename, js.attributes)]
    # Its handler that writes the configuration block into each page is not called.
    listeners = app.events.listeners.get("doctree-resolved", [])
    listeners[:] = [each for each in listeners if getattr(each.handler, "__module__", "") != "sphinx_thebe"]


def setup(app: Sphinx) -> dict[str, bool]:
    """Register the handler after sphinx-thebe's own (priority 900 runs after the default 500)."""
    app.connect("env-before-read-docs", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
