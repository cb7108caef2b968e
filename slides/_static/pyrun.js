/* Run a snippet in the reader's browser: Python 3.14 (Pyodide, bundled with the site) in a Web Worker.

   slides/_ext/deck_browser.py puts a <div class="pyrun" data-pyrun="NAME"> after each code block that
   comes from a snippet that can run here (conf.py's deck_browser_snippets), loads this script and says
   where the Pyodide files are, relative to the page: <meta name="pyrun-runtime">.  On the site each mark becomes a Run
   button with an output area (a polite live region that takes the focus); in the deck, liverun.js asks
   window.deckPyrun to run the slide's snippet when there is no `make present` server.

   Nothing loads before the first Run; the worker (pyrun-worker.js) boots Python once and is kept for
   the next run.  Stop (the button again, or Escape) ends the worker; the next run starts a fresh one. */
(function () {
  'use strict';

  var WORKER = new URL('pyrun-worker.js', document.currentScript.src).href;
  var RUNTIME = '';                          // from <meta name="pyrun-runtime">, once the page is read
  var FILE_NOTE = 'Python cannot run from file://: serve the folder ' +
                  '(make present, or python -m http.server) and open it over http://';
  var worker = null, current = null, seq = 0;

  function sourceURL(name) {
    return RUNTIME + 'snippets/' + name + '.py';
  }

  // One run at a time: {name, onEvent, started, stopped}.  onEvent gets liverun's events:
  // {event: 'line', text, stream}, {event: 'boot'}, {event: 'end', status, elapsed, stopped}.
  function start(name, onEvent) {
    stop('another run started');
    var run = current = {name: name, onEvent: onEvent, started: performance.now()};
    if (!worker) {
      worker = new Worker(WORKER, {type: 'module'});
      worker.onerror = function (event) {
        event.preventDefault();
        finish({event: 'end', status: 1}, 'the worker failed: ' + (event.message || 'see the console'));
      };
    }
    worker.onmessage = function (message) {
      if (run !== current) return;
      var data = message.data;
      if (data.event === 'end') finish(data);
      else onEvent(data);
    };
    worker.postMessage({run: name, runtime: RUNTIME, source: sourceURL(name)});
    return {abort: function () { if (run === current) stop('stopped'); }};
  }

  function finish(data, error) {
    var run = current;
    if (!run) return;
    current = null;
    if (error) run.onEvent({event: 'line', stream: 'stderr', text: error});
    data.elapsed = (performance.now() - run.started) / 1000;
    run.onEvent(data);
  }

  function stop(why) {
    if (!current) return;
    if (worker) worker.terminate();        // the only way to stop Python mid-run: nothing is left over
    worker = null;
    finish({event: 'end', status: null, stopped: why});
  }

  // -- the site: a Run button and an output area after each marked code block -------------------

  function seconds(value) {
    return value.toFixed(1) + ' s';
  }

  function button(mark) {
    var name = mark.dataset.pyrun, id = 'pyrun-' + (++seq);
    var bar = document.createElement('div');
    bar.className = 'pyrun-bar';
    var run = document.createElement('button');
    run.type = 'button';
    run.className = 'pyrun-button';
    run.textContent = 'Run';
    run.setAttribute('aria-controls', id);
    var what = document.createElement('span');
    what.className = 'pyrun-what';
    what.textContent = 'python -m snippets.' + name + ' in your browser (Python 3.14, Pyodide)';
    bar.append(run, what);
    var out = document.createElement('div');
    out.className = 'pyrun-output';
    out.id = id;
    out.hidden = true;
    out.tabIndex = 0;                          // long output scrolls: reachable by keyboard
    out.setAttribute('role', 'log');           // a polite live region: new lines are read out
    out.setAttribute('aria-live', 'polite');
    out.setAttribute('aria-label', 'output of snippets.' + name);
    var status = document.createElement('p');
    status.className = 'pyrun-status';
    var lines = document.createElement('pre');
    lines.className = 'pyrun-lines';
    out.append(status, lines);
    mark.append(bar, out);

    var ticker = 0, handle = null;
    function show(text) { status.textContent = text; }
    function line(stream, text) {
      var span = document.createElement('span');
      span.className = 'pyrun-line' + (stream === 'stderr' ? ' pyrun-stderr' : '');
      span.textContent = text + '\n';
      lines.appendChild(span);
      out.scrollTop = out.scrollHeight;
    }
    function onEvent(event) {
      if (event.event === 'line') line(event.stream, event.text);
      else if (event.event === 'boot') out.dataset.booted = '1';
      else if (event.event === 'end') {
        clearInterval(ticker);
        handle = null;
        out.dataset.state = event.stopped ? 'stopped' : 'done';
        out.dataset.status = event.status === null ? '' : String(event.status);
        show(event.stopped ? 'stopped (' + event.stopped + ') \u00b7 ' + seconds(event.elapsed)
                           : 'exit ' + event.status + ' \u00b7 ' + seconds(event.elapsed));
        run.textContent = 'Run';
      }
    }
    function go() {
      out.hidden = false;
      lines.textContent = '';
      if (!/^https?:$/.test(location.protocol)) {
        out.dataset.state = 'error';
        show(FILE_NOTE);
        return;
      }
      out.dataset.state = 'running';
      out.dataset.status = '';
      run.textContent = 'Stop';
      var started = performance.now();
      show('running\u2026');
      ticker = setInterval(function () {
        show((out.dataset.booted ? 'running\u2026 ' : 'starting Python\u2026 ')
             + seconds((performance.now() - started) / 1000));
      }, 100);
      handle = start(name, onEvent);
    }
    run.addEventListener('click', function () {
      if (handle) handle.abort();
      else go();
    });
    mark.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && handle) {
        handle.abort();
        event.preventDefault();
      }
    });
  }

  window.deckPyrun = {
    FILE_NOTE: FILE_NOTE,
    name: function (article) {                 // the snippet of this slide that runs here, or ''
      var mark = article && article.querySelector('[data-pyrun]');
      return mark ? mark.dataset.pyrun : '';
    },
    start: start
  };

  function init() {
    var meta = document.querySelector('meta[name="pyrun-runtime"]');
    RUNTIME = new URL(meta ? meta.getAttribute('content') : '_static/pyodide/', document.baseURI).href;
    if (document.querySelector('section.slides')) return;   // the deck: liverun.js drives it
    document.querySelectorAll('div.pyrun[data-pyrun]').forEach(button);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init, false);
  else init();
}());
