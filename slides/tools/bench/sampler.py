"""The client processes' peak memory (PSS), processes and threads, sampled while they run."""
import threading
import time

from slides.tools.bench.system import descendants, process_table, pss_kib

SAMPLE_EVERY = 0.05                 # seconds between samples
SAMPLE_SHARE = 0.1                  # of one core, at most: the sampler shares the machine


class TreeSampler(threading.Thread):
    """Sample the process trees below ``roots`` until stopped: peak PSS (KiB), processes, threads.

    PSS (from /proc/PID/smaps_rollup) splits pages shared between forked
    processes fairly, where a sum of RSS would count them again for every
    worker.  Every SAMPLE_EVERY seconds, or less often when sampling would take
    more than SAMPLE_SHARE of a core: reading smaps_rollup walks a process's
    page tables, which is slow for a process holding many connections.
    """

    def __init__(self, roots):
        super().__init__(daemon=True)
        self.roots, self._stopped = roots, threading.Event()
        self.peak_pss = self.peak_processes = self.peak_threads = 0

    def run(self):
        while not self._stopped.is_set():
            started = time.monotonic()
            table = process_table()
            tree = descendants(self.roots, table)
            self.peak_pss = max(self.peak_pss, sum(map(pss_kib, tree)))
            self.peak_processes = max(self.peak_processes, len(tree))
            self.peak_threads = max(self.peak_threads, sum(table[pid][3] for pid in tree))
            took = time.monotonic() - started
            self._stopped.wait(max(SAMPLE_EVERY, took * (1 / SAMPLE_SHARE - 1)))

    def stop(self):
        self._stopped.set()
        self.join(30)
