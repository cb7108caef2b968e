"""This machine: its limits, its CPU time, its processes and their memory, from /proc."""
import contextlib
import functools
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

from slides.tools.nginx import nginx_binary

CLOCK_TICKS = os.sysconf('SC_CLK_TCK')


def raise_nofile_limit():
    """Raise the soft open-file limit to the hard one; return ``(soft, note)``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft >= hard:
        return soft, f'open-file limit {soft:,} per process (the hard limit)'
    target = hard if hard != resource.RLIM_INFINITY else 1 << 20
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError) as exc:
        return soft, f'open-file limit {soft:,}: could not raise it to {target:,} ({exc})'
    return target, f'open-file limit raised from {soft:,} to {target:,} (the hard limit)'


def read_numbers(path, default=()):
    try:
        return [int(field) for field in Path(path).read_text().split()]
    except (OSError, ValueError):
        return list(default)


def kernel_limits():
    """The kernel's limits that bound N: ``{name: value}``."""
    low, high = read_numbers('/proc/sys/net/ipv4/ip_local_port_range', (32768, 60999))
    memory = {line.split(':')[0]: int(line.split()[1])
              for line in Path('/proc/meminfo').read_text().splitlines()}
    return {
        'ports': high - low + 1, 'port range': f'{low}–{high}',
        'somaxconn': read_numbers('/proc/sys/net/core/somaxconn', [4096])[0],
        'max_map_count': read_numbers('/proc/sys/vm/max_map_count', [65530])[0],
        'pid_max': read_numbers('/proc/sys/kernel/pid_max', [32768])[0],
        'threads-max': read_numbers('/proc/sys/kernel/threads-max', [0])[0],
        'memory available MiB': memory.get('MemAvailable', 0) // 1024,
        'memory MiB': memory.get('MemTotal', 0) // 1024,
    }


def machine():
    cpu = 'unknown CPU'
    with contextlib.suppress(OSError):
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    memory = kernel_limits()['memory MiB']
    nginx = subprocess.run([nginx_binary(), '-v'], capture_output=True, text=True).stderr
    return (f'{cpu}, {os.cpu_count()} cores, {memory / 1024:.0f} GiB, Linux {platform.release()}, '
            f'Python {platform.python_version()}, {nginx.strip().rsplit(" ", 1)[-1]}')


@functools.cache
def python_build():
    """Where this Python came from: 'pyenv' (built from source by pyenv), 'Debian forky/sid
    3.13.9-1' (a Debian package: the suite and the package's version), else its prefix."""
    base = os.path.realpath(sys.base_prefix)
    if '/.pyenv/versions/' in base:
        return 'pyenv'
    if base == '/usr':
        package = f'python{sys.version_info[0]}.{sys.version_info[1]}-minimal'
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            version = subprocess.run(['dpkg-query', '-W', '-f', '${Version}', package],
                                     capture_output=True, text=True, timeout=30).stdout.strip()
            release = {line.partition('=')[0]: line.partition('=')[2].strip('"')
                       for line in Path('/etc/os-release').read_text().splitlines()}
            suite = release.get('PRETTY_NAME', '').removeprefix('Debian GNU/Linux ')
            if version:
                return f'Debian {suite} {version}'.replace('  ', ' ')
    return base


class CpuTimes(NamedTuple):
    """The whole machine's CPU time so far, in clock ticks (``/proc/stat``'s first line)."""
    busy: int       # neither idle nor waiting for I/O; includes steal
    steal: int      # taken by the hypervisor for other guests: this machine could not run
    interrupts: int  # irq and softirq: the kernel's network work, here for the run's own sockets
    total: int

    def __sub__(self, earlier):
        return CpuTimes(*(a - b for a, b in zip(self, earlier, strict=True)))


def cpu_times():
    fields = [int(f) for f in Path('/proc/stat').read_text().split('\n', 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]                       # idle + iowait
    return CpuTimes(sum(fields) - idle, fields[7], fields[5] + fields[6], sum(fields))


def cpu_use(seconds=2.0):
    """``(busy, steal)``: shares of the machine's CPU time busy, and stolen, over the next ``seconds``."""
    before = cpu_times()
    time.sleep(seconds)
    spent = cpu_times() - before
    return spent.busy / max(1, spent.total), spent.steal / max(1, spent.total)


def process_table():
    """``{pid: (ppid, cpu seconds, cpu seconds of waited-for children, threads)}``."""
    table = {}
    for entry in os.scandir('/proc'):
        if entry.name.isdigit():
            try:
                text = Path(entry.path, 'stat').read_text()
            except OSError:
                continue
            fields = text.rsplit(')', 1)[1].split()
            table[int(entry.name)] = (
                int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
                (int(fields[13]) + int(fields[14])) / CLOCK_TICKS, int(fields[17]))
    return table


def descendants(roots, table=None):
    """The pids of ``roots`` and every process below them."""
    table = process_table() if table is None else table
    children = {}
    for pid, (ppid, *_) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        if pid in table:
            found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def tree_cpu(root):
    """CPU seconds of ``root`` and the processes below it, living or waited for."""
    table = process_table()
    return sum(table[pid][1] + table[pid][2] for pid in descendants([root], table))


def pss_kib(pid):
    try:
        with open(f'/proc/{pid}/smaps_rollup') as f:
            for line in f:
                if line.startswith('Pss:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
