"""The pipeline at scale on Ray: ``run_batch`` writes a Parquet dataset, ``import_dataset``
loads one (or a filtered part of it) into a store.

The stages are the single-machine path's own code; Ray only schedules them (``batch.run``), the
clustering is merged deterministically (``batch.stories``), and the dataset layout is in
``batch.dataset``. Ray is an optional dependency (``pip install 'wiretrace[ray]'``): importing
this package does not import it.
"""

from __future__ import annotations

from .load import ImportReport, import_dataset, select_articles
from .run import BatchReport, run_batch

__all__ = ["BatchReport", "ImportReport", "import_dataset", "run_batch", "select_articles"]
