"""What the benchmark scripts share: a Markdown table without extra dependencies, and the process's memory."""
import resource
from pathlib import Path

import pandas as pd


def markdown(df: pd.DataFrame) -> str:
    "A Markdown table (pandas' to_markdown needs tabulate, which altnb does not depend on); NaN shows as —."
    fmt = lambda v: ('—' if v != v else f'{v:.4g}') if isinstance(v, float) else str(v)
    return '\n'.join(['| ' + ' | '.join(map(str, df.columns)) + ' |', '|' + '---|' * len(df.columns)]
                     + ['| ' + ' | '.join(fmt(v) for v in r) + ' |' for r in df.itertuples(index=False)])


def peak_rss_mb() -> float:
    "Peak resident memory of this process so far (MB; Linux reports KiB)."
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    "Resident memory of this process now (MB)."
    try: return int(Path('/proc/self/statm').read_text().split()[1]) * resource.getpagesize() / 2**20
    except OSError: return float('nan')
