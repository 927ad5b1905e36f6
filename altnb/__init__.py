__version__ = "0.1.0"

from .unlearn import Eraser, forget  # the two entry points: a stream of requests, and one request
