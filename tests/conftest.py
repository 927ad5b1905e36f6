"""Test-session settings.

One torch thread: the notebooks' small batched kernels lose more to thread hand-offs than they gain on CI's two
shared cores (measured: a training epoch at ML-1m scale took 0.75 s on one thread and up to 13 s on two while another
process was busy), and one thread keeps timings in the notebooks' outputs steady.
"""
import torch

torch.set_num_threads(1)
