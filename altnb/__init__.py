__version__ = "0.1.0"

from .heap import hold_heap_on_import as _hold_heap
_hold_heap()  # on glibc: keep freed solver temporaries for the next pass (`nbs/04a_heap.ipynb`; ALTNB_HEAP=system opts out)
from .unlearn import Eraser, forget  # the two entry points: a stream of requests, and one request
