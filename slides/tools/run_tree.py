"""Run a command so that everything it starts stops with it (Linux)::

    python -m slides.tools.run_tree COMMAND [ARG...]

``make present`` runs each snippet through this.  A process group cannot hold a run's tree:
a child may start a group or a session of its own (``bench_models``' clients do), and a
process whose parent exits is handed to init.  This process makes itself a *child subreaper*
(``prctl(PR_SET_CHILD_SUBREAPER)``, Linux 3.4), so every descendant of the command stays below
it, whatever its group or session and whichever of its parents exits.  When the command ends,
or this process gets SIGTERM, SIGINT or SIGHUP, every descendant still there gets SIGTERM, then
SIGKILL after ``GRACE`` seconds, and is reaped; then this process ends as the command did (its
exit status), or by the signal it got.

No handler runs at an awkward moment: the stop signals and SIGCHLD stay blocked here and are
taken one at a time with ``sigwaitinfo``; the command starts with them unblocked and at their
defaults.
"""
import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36        # <linux/prctl.h>
GRACE = 1.0                        # seconds between SIGTERM and SIGKILL to what is left
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
WAITED = STOP_SIGNALS | {signal.SIGCHLD}


def make_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f'prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(error)}')


def descendants(root):
    """The pids of every live process below ``root``, from /proc (zombies left out)."""
    children = {}                                   # parent pid -> its children's pids
    for entry in os.scandir('/proc'):
        if not entry.name.isdigit():
            continue
        try:
            with open(f'/proc/{entry.name}/stat', 'rb') as stat:
                # "pid (comm) state ppid pgrp ...": comm may hold anything, so split after its ')'
                state, ppid = stat.read().rsplit(b')', 1)[1].split()[:2]
        except (OSError, ValueError):               # gone meanwhile
            continue
        if state != b'Z':
            children.setdefault(int(ppid), []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        for pid in children.get(todo.pop(), ()):
            if pid not in found and pid != root:
                found.add(pid)
                todo.append(pid)
    return found


def reap(command_pid):
    """Collect every child that has ended (orphans are handed to this process); return the
    command's exit status if it is among them, else None."""
    status = None
    while True:
        try:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:                   # no child left
            return status
        if not pid:
            return status
        if pid == command_pid:
            status = os.waitstatus_to_exitcode(wait_status)


def stop_tree(grace=GRACE):
    """SIGTERM to every descendant, SIGKILL after ``grace`` seconds to whatever is left;
    return once none is left, all reaped (SIGCHLD blocked: it is waited for, not handled)."""
    me = os.getpid()
    deadline = time.monotonic() + grace
    while pids := descendants(me):
        sig = signal.SIGTERM if time.monotonic() < deadline else signal.SIGKILL
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        signal.sigtimedwait({signal.SIGCHLD}, 0.05)      # a child ended, or a moment passed
        reap(None)
    reap(None)


def main(argv=None):
    command = sys.argv[1:] if argv is None else argv
    if not command:
        sys.exit('usage: python -m slides.tools.run_tree COMMAND [ARG...]')
    make_subreaper()
    signal.pthread_sigmask(signal.SIG_BLOCK, WAITED)
    # (and SIGPIPE and SIGXFSZ at their defaults too, as subprocess restores them)
    child = os.posix_spawnp(command[0], command, os.environ, setsigmask=(),
                            setsigdef=STOP_SIGNALS | {signal.SIGPIPE, signal.SIGXFSZ})
    status = received = None
    while status is None and received is None:
        info = signal.sigwaitinfo(WAITED)
        if info.si_signo in STOP_SIGNALS:
            received = info.si_signo
        else:
            status = reap(child)
    stop_tree()
    if received is not None:
        end_by(received)
    if status < 0:                                  # the command was killed: so is this process
        end_by(-status)
    sys.exit(status)


def end_by(sig):
    """End this process by the signal ``sig``, as the command would have (or exit 128 + sig)."""
    if sig != signal.SIGKILL:
        signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})     # it is pending: it ends us here
    sys.exit(128 + sig)                                   # a signal whose default is to go on


if __name__ == '__main__':
    main()
