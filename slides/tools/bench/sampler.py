"""What the client processes hold while they run: processes, threads, connections, memory.

Counting is cheap (one read of /proc/PID/stat per process, one request to
nginx's status port) and done often; memory (PSS) is dear (reading
/proc/PID/smaps_rollup walks a process's page tables, slow for a process
holding many connections or for hundreds of workers) and done less often.
"""
import threading
import time

from slides.tools.bench.system import descendants, process_table, pss_kib

COUNT_EVERY = 0.02                  # seconds between counts of processes, threads, connections
PSS_EVERY = 0.5                     # seconds between memory samples
SAMPLE_SHARE = 0.1                  # of one core, at most, for each kind of sample


class TreeSampler(threading.Thread):
    """Sample the process trees below ``roots`` until stopped.

    Peaks: ``pss`` (KiB; PSS splits pages shared between forked processes
    fairly, where a sum of RSS would count them again for every worker; with
    the processes and threads that held it, ``at_peak_pss``),
    ``processes``, ``threads`` and, given ``connections`` (a function, e.g.
    ``Nginx.connections``), the connections open at the server: the requests
    really in flight.  Each kind of sample waits its period, or longer when it
    would take more than SAMPLE_SHARE of a core (its CPU time, not its wall
    time, which grows when the cores are busy): the sampler shares the machine
    with what it measures.
    """

    def __init__(self, roots, connections=None):
        super().__init__(daemon=True)
        self.roots, self._connections, self._stopped = roots, connections, threading.Event()
        self.peak = dict.fromkeys(['pss', 'processes', 'threads', 'in flight'], 0)
        self.at_peak_pss = {'processes': 0, 'threads': 0}     # what held that memory
        self.samples = dict.fromkeys(['counts', 'pss'], 0)

    def _count(self):
        table = process_table()
        tree = descendants(self.roots, table)
        threads = sum(table[pid][3] for pid in tree)
        self._keep('processes', len(tree))
        self._keep('threads', threads)
        if self._connections:
            try:
                self._keep('in flight', self._connections())
            except OSError:
                pass                    # the server is too busy to answer at once: next time
        self.samples['counts'] += 1
        return tree, threads

    def _pss(self, tree, threads):
        pss = sum(map(pss_kib, tree))
        if pss > self.peak['pss']:
            self.peak['pss'], self.at_peak_pss = pss, {'processes': len(tree), 'threads': threads}
        self.samples['pss'] += 1

    def _keep(self, name, value):
        self.peak[name] = max(self.peak[name], value)

    def run(self):
        next_pss = time.monotonic()
        while not self._stopped.is_set():
            started, cpu = time.monotonic(), time.thread_time()    # cost: this thread's CPU time
            tree, threads = self._count()
            took = time.thread_time() - cpu
            if started >= next_pss:
                self._pss(tree, threads)
                took_pss = time.thread_time() - cpu - took
                next_pss = started + max(PSS_EVERY, took_pss / SAMPLE_SHARE)
            self._stopped.wait(max(COUNT_EVERY, took / SAMPLE_SHARE) - (time.monotonic() - started))

    def stop(self):
        """Stop, with one last sample of everything."""
        self._stopped.set()
        self.join(30)
        self._pss(*self._count())
