"""The benchmark harness behind ``python -m snippets.bench_models`` (``make bench``).

For every (model, N), a fresh server and fresh client processes:

* ``slides.tools.nginx``: the server, nginx (C) with Debian's echo module:
  ``echo_sleep`` waits d seconds, then a 100-byte body, so what is measured is
  mostly the client (nginx shares the cores; its CPU time is reported beside
  the client's; a port of its own counts its open connections);
* ``client``: one client process runs a model on its share of the requests
  (the event loops at large N: several processes, one loop each) and reports
  its wall time, CPU time, the cycle collector's CPU time and every request's
  outcome; the models come from the caller, by ``module:name``;
* ``sampler``: while they run, the harness counts the client's processes,
  threads and the connections nginx holds (the requests in flight), often,
  and weighs its memory (PSS), less often;
* ``system``: the machine's limits, its CPU time (steal apart) and processes;
* ``run``: one measurement, a row of ``bench.csv``; ``sweep``: every N, with
  several takes at the N the slides compare; ``report``: the CSV tables, the
  chart and the figures the slides quote; ``versions``: the same models on
  every Python; ``check``: a rerun beside the committed figures; ``cli``: the
  command line.

Nothing here caps a model: a model that fails at some N (open files, threads,
memory) is recorded as failing there, with the limit that stopped it.
"""
