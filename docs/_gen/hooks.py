"""MkDocs hooks (``hooks:`` in mkdocs.yml): pages generated from the code at build time.

- ``keras-compat.md``: the Keras 3 compatibility tables, from ``nnlab.keras`` (keras_compat.py);
- ``api/*.md``: the API reference pages, one per public package (api_pages.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.structure.files import File, Files

sys.path.insert(0, str(Path(__file__).parent))

import api_pages  # noqa: E402
import keras_compat  # noqa: E402


def on_files(files: Files, config) -> Files:  # noqa: ANN001 - mkdocs' MkDocsConfig
    """Add the generated pages to the site's files."""
    files.append(File.generated(config, "keras-compat.md", content=keras_compat.render()))
    files.append(File.generated(config, "api/index.md", content=api_pages.render_index()))
    for page in api_pages.PAGES:
        files.append(File.generated(config, f"api/{page}.md", content=api_pages.render(page)))
    return files
