"""Skip/top paging over Insightly's bare-array lists, and the delete-safe scan.

Insightly lists are JSON arrays in ascending id order with no envelope and no next link:
a page shorter than ``top`` is the last one. With ``count_total`` every page also reports
the total, so the end is known without asking for an empty page.

- :class:`Paginator` streams a list record by record (``async for``) or page by page
  (:meth:`Paginator.pages`), fetching pages ahead in parallel with ``concurrency``.
- :meth:`Paginator.scan` reads a whole list that changes while it is read (records created
  and deleted meanwhile) without missing any record that existed throughout, and can be
  resumed from a checkpoint (:class:`ScanState`).
"""

from insightly_async.pagination._paginator import Paginator
from insightly_async.pagination._scan import ScanPage, ScanState
from insightly_async.pagination._types import Fetch, Fetched, Page

__all__ = ["Fetch", "Fetched", "Page", "Paginator", "ScanPage", "ScanState"]
