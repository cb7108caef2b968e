/* The Web Worker in which a snippet runs on Pyodide (CPython 3.14 in WebAssembly), started by pyrun.js.

   Messages in: {run: NAME, runtime: URL of the Pyodide folder, source: URL of snippets/NAME.py}.
   Messages out: {event: 'boot', jspi} once Python is up (jspi: it can suspend), {event: 'line', stream, text} per line of output,
   {event: 'end', status} when the program has ended.  Stopping is the page's: it ends the worker.

   How asyncio runs here.  Pyodide's own loop (WebLoop) hands every callback to the browser and
   cannot block, so its asyncio.run() needs WebAssembly stack switching (JSPI), which Safari lacks,
   and its new_event_loop()/run_forever() return at once.  Here the program gets CPython's own
   event loop instead (asyncio.BaseEventLoop: its ready queue, timers, Tasks), whose selector has no
   I/O to watch (no sockets in a browser): waiting for the next timer is a sleep.  So asyncio.run(),
   new_event_loop(), run_forever() and stop() work as on CPython, with or without JSPI, and the
   snippet runs unchanged, as `python -m snippets.NAME`.  Only the wait differs: with JSPI the
   worker suspends on a browser timer; without it (Safari), it blocks (pyrunBlock). */

const RUNNER = `
import asyncio, os, runpy, sys, time, traceback
import pyodide.webloop
from pyodide.ffi import can_run_sync, run_sync
from js import Promise, pyrunBlock, setTimeout

def _sleep(seconds):
    if seconds <= 0:
        return
    if can_run_sync():        # JSPI: suspend on a browser timer, through Pyodide's own loop
        running = asyncio.events._get_running_loop()
        asyncio.events._set_running_loop(_webloop)
        try:
            run_sync(Promise.new(lambda resolve, reject: setTimeout(resolve, seconds * 1000)))
        finally:
            asyncio.events._set_running_loop(running)
    else:                     # no JSPI (Safari): block the worker (pyrunBlock, below)
        pyrunBlock(seconds * 1000)

class _NoIO:
    """A loop's selector where nothing can be watched: waiting is sleeping till the next timer."""
    def select(self, timeout=None):
        while timeout is None:
            _sleep(3600)          # nothing scheduled: the program waits, as on CPython, until stopped
        _sleep(timeout)
        return []
    def close(self):
        pass

class BrowserLoop(asyncio.BaseEventLoop):
    def __init__(self):
        super().__init__()
        self._selector = _NoIO()
    def _process_events(self, event_list):
        pass
    def _write_to_self(self):
        pass                      # one thread: nothing to wake up

_webloop = asyncio.get_event_loop()          # Pyodide's, running now: JavaScript's calls into Python
asyncio.set_event_loop(_webloop)             # (callPromising) look for it when none is running

def _run(main, *, debug=None, loop_factory=None):
    return pyodide.webloop._orig_run(main, debug=debug, loop_factory=loop_factory or BrowserLoop)

asyncio.run = _run                           # CPython's asyncio.run, on CPython's loop
asyncio.new_event_loop = BrowserLoop
time.sleep = _sleep
sys.path.insert(0, '/home/pyodide')
os.makedirs('/home/pyodide/snippets', exist_ok=True)
open('/home/pyodide/snippets/__init__.py', 'w').close()
sys.stdout.reconfigure(line_buffering=True)
sys.stderr.reconfigure(line_buffering=True)

def run(name):
    for module in [m for m in sys.modules if m == 'snippets' or m.startswith('snippets.')]:
        del sys.modules[module]
    sys.argv = [f'/home/pyodide/snippets/{name}.py']
    asyncio.events._set_running_loop(None)   # the program starts with no loop running, as on CPython
    try:
        runpy.run_module(f'snippets.{name}', run_name='__main__', alter_sys=True)
        status = 0
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else (exit.code is not None)
        if exit.code is not None and not isinstance(exit.code, int):
            print(exit.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
        status = 1
    finally:
        asyncio.events._set_running_loop(_webloop)
    sys.stdout.flush()
    sys.stderr.flush()
    return status
`;

let python = null;

// Blocking the worker for a while: Atomics.wait on a shared memory where the browser allows one,
// else a busy wait.  Only without JSPI: with it, Python suspends on a timer instead.
const SHARED = (() => {
  try { return new Int32Array(new WebAssembly.Memory({shared: true, initial: 1, maximum: 1}).buffer); }
  catch { return null; }
})();
self.pyrunBlock = ms => {
  if (SHARED) {
    Atomics.wait(SHARED, 0, 0, ms);
  } else {
    const end = performance.now() + ms;
    while (performance.now() < end) { /* no shared memory: spin */ }
  }
};

function canSuspend() {           // JS Promise Integration (Chromium; not Safari)
  return typeof WebAssembly.Suspending === 'function';
}

async function boot(runtime) {
  const {loadPyodide} = await import(runtime + 'pyodide.mjs');
  const py = await loadPyodide({indexURL: runtime});
  py.setStdout({batched: text => postMessage({event: 'line', stream: 'stdout', text})});
  py.setStderr({batched: text => postMessage({event: 'line', stream: 'stderr', text})});
  py.runPython(RUNNER);
  return py;
}

self.onmessage = async ({data}) => {
  try {
    const response = await fetch(data.source);
    if (!response.ok) throw new Error(`${data.source}: ${response.status}`);
    const source = await response.text();
    if (!python) python = await boot(data.runtime);
    postMessage({event: 'boot', jspi: canSuspend()});
    python.FS.writeFile(`/home/pyodide/snippets/${data.run}.py`, source);
    // callPromising: with JSPI, Python may suspend on a browser timer (run_sync) instead of spinning
    const run = python.globals.get('run');
    const status = canSuspend() ? await run.callPromising(data.run) : run(data.run);
    postMessage({event: 'end', status});
  } catch (error) {
    postMessage({event: 'line', stream: 'stderr', text: String(error && error.message || error)});
    postMessage({event: 'end', status: 1});
  }
};
