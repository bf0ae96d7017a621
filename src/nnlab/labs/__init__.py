"""The practical works of the course, one module per lab, each with ``run(ctx) -> metrics``.

``LABS`` lists them in the course's order; :func:`resolve_ids` maps CLI ids (or ``"all"``) to
specs; :func:`nnlab.labs.runner.run_labs` runs them and writes the reports and the index.
How to write a lab: see :mod:`nnlab.labs.base`.
"""

from nnlab.labs.registry import (
    LABS,
    LabSpec,
    get_lab,
    load_lab,
    resolve_ids,
)

__all__ = ["LABS", "LabSpec", "get_lab", "load_lab", "resolve_ids"]
