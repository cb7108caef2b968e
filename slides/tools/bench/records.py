"""Typed records: a ``Take`` (one run of one model at one N), a ``Point`` (the takes of
one model, N and collector), and the CSV files that hold takes, one row each."""
import csv
import dataclasses
import statistics
import types
from dataclasses import dataclass, field

from slides.tools.bench.config import MODE_GAP


@dataclass
class Take:
    model: str
    n: int
    collector: str = 'default'      # what the client did to its cycle collector (run.COLLECTORS)
    python: str = ''
    build: str = ''                 # where that Python came from: 'pyenv', 'Debian sid 3.13.9-1', ...
    round: int = 0                  # 1, 2, ...: its round at the compared N; 0: a single take
    delay: float = 1.0              # d, seconds
    clients: int = 1                # client processes (the loops at large N: one loop each)
    ports: int = 1                  # server ports
    workers: int = 1                # nginx workers
    wall: float | None = None       # seconds from the first client's start to the last one's end
    cpu: float | None = None        # the clients' CPU seconds (their pool workers included)
    gc: float | None = None         # of which the cycle collector's, in the client processes
    peak_mib: float = 0.0           # the clients' peak memory (PSS)
    processes_at_peak: int = 0      # processes and threads that held it
    threads_at_peak: int = 0
    peak_processes: int = 0
    peak_threads: int = 0
    in_flight: int = 0              # most connections nginx held at once
    server_cpu: float = 0.0
    outcomes: dict = field(default_factory=dict)    # {'answered': 9990, 'EMFILE': 10, ...}
    error: str = ''                 # a client process that did not report: why
    limit: str = ''                 # the limit its failures point to, in words
    others: float | None = None     # share of the machine's CPU other processes took meanwhile
    steal: float | None = None      # share the hypervisor stole
    busy: bool = False              # others or steal over config.BUSY_SHARE: decided as measured
    skipped: str = ''               # not run, and why (then nothing else is measured)

    @property
    def answered(self):
        return self.outcomes.get('answered', 0)

    @property
    def failed(self):
        return self.n - self.answered

    @property
    def ok(self):
        return not self.skipped and not self.error and not self.failed and self.wall is not None

    @property
    def ratio(self):
        """Wall time over d."""
        return self.wall / self.delay

    @property
    def cpu_us(self):
        """Client CPU µs per request."""
        return self.cpu / self.n * 1e6

    @property
    def failures(self):
        return {kind: count for kind, count in self.outcomes.items() if kind != 'answered'}


COLUMNS = [f.name for f in dataclasses.fields(Take)]
_TYPES = {f.name: f.type for f in dataclasses.fields(Take)}


def _text(value):
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'yes' if value else ''
    if isinstance(value, dict):
        return ';'.join(f'{kind}={count}' for kind, count in value.items())
    if isinstance(value, float):
        return f'{value:.4g}' if abs(value) < 0.01 else f'{value:.4f}'.rstrip('0').rstrip('.')
    return str(value)


def _value(text, kind):
    if isinstance(kind, types.UnionType):           # float | None
        return None if text == '' else float(text)
    if kind is bool:
        return text == 'yes'
    if kind is dict:
        return {k: int(v) for k, v in (part.split('=') for part in text.split(';') if part)}
    return kind(text) if kind in (int, float) else text


def write_takes(takes, path):
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows([_text(getattr(take, c)) for c in COLUMNS] for take in takes)


def read_takes(path):
    with open(path, newline='') as f:
        return [Take(**{c: _value(row[c], _TYPES[c]) for c in COLUMNS if c in row})
                for row in csv.DictReader(f)]


def split_modes(values, gap=MODE_GAP):
    """The sorted values in groups: a new group where one is over ``gap`` times the one before."""
    groups = []
    for value in sorted(values):
        if groups and value <= gap * groups[-1][-1]:
            groups[-1].append(value)
        else:
            groups.append([value])
    return groups


@dataclass
class Point:
    """The takes of one model at one N with one collector, in the order they ran."""
    model: str
    n: int
    collector: str
    takes: list
    label: str = ''                 # how the text names it: the model (and collector), or its Python

    def __post_init__(self):
        if not self.label:
            self.label = self.model + ('' if self.collector == 'default' else f' ({self.collector})')

    @property
    def measured(self):
        return [t for t in self.takes if not t.skipped]

    @property
    def skipped(self):
        """Why it was not measured ('' when it was)."""
        return '' if self.measured else (self.takes[0].skipped if self.takes else 'not measured')

    @property
    def failed(self):
        """The first failed take, or None: a failure is never averaged away."""
        return next((t for t in self.measured if not t.ok), None)

    @property
    def ok(self):
        return bool(self.measured) and self.failed is None

    @property
    def python(self):
        return ', '.join(dict.fromkeys(t.python for t in self.measured))

    @property
    def ratios(self):
        return sorted(t.ratio for t in self.measured)

    @property
    def modes(self):
        return split_modes(self.ratios)

    @property
    def timed(self):
        """The takes whose CPU time is known (all that ran, but in files made before takes were kept)."""
        return [t for t in self.measured if t.cpu is not None]

    @property
    def cpu_us(self):
        """CPU µs per request over all the takes (their total over their requests)."""
        return sum(t.cpu for t in self.timed) / max(1, sum(t.n for t in self.timed)) * 1e6

    @property
    def gc_share(self):
        return sum(t.gc or 0 for t in self.timed) / max(1e-9, sum(t.cpu for t in self.timed))

    def mean(self, attribute):
        return statistics.fmean(getattr(t, attribute) for t in self.measured)

    def mean_of(self, attribute):
        """The mean over the takes whose CPU time is known (``'cpu'``, ``'gc'``)."""
        return statistics.fmean((getattr(t, attribute) or 0) for t in self.timed)

    @property
    def in_flight(self):
        return max(t.in_flight for t in self.measured)

    @property
    def busy(self):
        return sum(t.busy for t in self.measured)

    def rounds(self, value=None):
        """``{round: [wall / d (or ``value`` of the take), ...]}`` of the takes run in rounds."""
        found = {}
        for take in self.measured:
            if take.round:
                found.setdefault(take.round, []).append(value(take) if value else take.ratio)
        return found

    def drift(self, value=None):
        """``(between, within)``: how far the rounds' medians lie apart, over their median, and
        the median spread of the takes within one round, likewise (None where unknown); of wall
        time over d, or of ``value`` (a function of a take)."""
        rounds = self.rounds(value)
        if len(rounds) < 2:
            return None, None
        medians = [statistics.median(r) for r in rounds.values()]
        centre = statistics.median(medians)
        within = [(max(r) - min(r)) / statistics.median(r) for r in rounds.values() if len(r) > 1]
        return ((max(medians) - min(medians)) / centre,
                statistics.median(within) if within else None)


def points(takes):
    """The takes grouped into Points, in the order they first ran."""
    found = {}
    for take in takes:
        key = (take.model, take.n, take.collector)
        found.setdefault(key, Point(*key, []))
        found[key].takes.append(take)
    return list(found.values())


def find(found, model, n, collector='default'):
    return next((p for p in found if (p.model, p.n, p.collector) == (model, n, collector)), None)
