/* Live runs: on a slide that shows a runnable snippet (slides/_ext/deck_present.py marks it), `r` runs
   `python -m snippets.NAME` on the `make present` server (slides/tools/present.py) and streams its output into an
   overlay, with the elapsed time and the exit status; `r` again re-runs, Esc closes (and
   stops a run still going).  The presenter console (`c`) shows the same overlay.

   The build marks such a slide with a hidden <div data-liverun="NAME">; the server puts this
   start's secret in <meta name="liverun-secret">.  Without that server (the static deck,
   the site, the PDF) `r` only says that live runs need `make present`.

   Self-contained: one keydown listener, for `r` and Esc only.  The deck and its console
   talk over a BroadcastChannel: the console asks, the deck runs and sends its state. */
(function () {
  'use strict';

  var TOAST_MS = 3000;
  var MAX_LINES = 2000;
  var channel = 'BroadcastChannel' in window ? new BroadcastChannel('deck-liverun') : null;
  var isConsole = false;
  var secret = '';
  var overlay = null, toastEl = null, toastTimer = 0, ticker = 0;
  var controller = null;     // the fetch of the run on screen
  var state = {open: false, visible: false, slide: '', name: '', lines: [], phase: '',
               status: null, elapsed: null, started: 0, note: ''};

  function el(tag, cls, parent) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (parent) parent.appendChild(node);
    return node;
  }

  function currentArticle() {
    return document.querySelector('section.slides > article.current');
  }

  // -- drawing (the same in the deck and in the console) --------------------------------

  function seconds(value) {
    return value.toFixed(1) + ' s';
  }

  function statusText(s) {
    var elapsed = s.elapsed !== null ? s.elapsed : (Date.now() - s.started) / 1000;
    switch (s.phase) {
      case 'running': return 'running\u2026 ' + seconds(elapsed);
      case 'done': return 'exit ' + s.status + ' \u00b7 ' + seconds(elapsed);
      case 'timeout': return 'stopped after ' + seconds(elapsed) + ': ' + s.note;
      case 'stopped': return 'stopped (' + s.note + ') \u00b7 ' + seconds(elapsed);
      default: return s.note;
    }
  }

  function draw(s) {
    if (!overlay) {
      overlay = el('div', 'liverun', document.body);
      overlay.setAttribute('role', 'log');
      overlay.setAttribute('aria-label', 'live run');
      var head = el('div', 'liverun-head', overlay);
      el('code', 'liverun-command', head);
      el('span', 'liverun-status', head);
      var output = el('pre', 'liverun-output', overlay);
      output.tabIndex = 0;                             // long output scrolls: reachable by keyboard
      output.setAttribute('aria-label', 'output');
      el('div', 'liverun-keys', overlay).textContent = isConsole
        ? 'r in the deck or here runs again \u00b7 Esc closes' : 'r runs again \u00b7 Esc closes';
    }
    overlay.hidden = !s.visible;
    overlay.dataset.state = s.phase;
    overlay.dataset.status = s.status === null ? '' : String(s.status);
    overlay.dataset.elapsed = s.elapsed === null ? '' : String(s.elapsed);
    overlay.querySelector('.liverun-command').textContent = '$ python -m snippets.' + s.name;
    overlay.querySelector('.liverun-status').textContent = statusText(s);
    var out = overlay.querySelector('.liverun-output');
    out.textContent = s.lines.join('\n');
    out.scrollTop = out.scrollHeight;
    clearInterval(ticker);
    if (s.visible && s.phase === 'running') {
      ticker = setInterval(function () {
        overlay.querySelector('.liverun-status').textContent = statusText(s);
      }, 100);
    }
  }

  function toast(message) {
    if (!toastEl) {
      toastEl = el('div', 'liverun-toast', document.body);
      toastEl.setAttribute('role', 'status');          // read out, without taking the focus
    }
    toastEl.textContent = message;
    toastEl.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toastEl.hidden = true; }, TOAST_MS);
  }

  // -- the deck: runs, and tells the console ---------------------------------------------

  function update() {
    var article = currentArticle();
    state.visible = state.open && !!article && article.id === state.slide;
    draw(state);
    if (channel) channel.postMessage({type: 'state', state: state});
  }

  function handle(event) {
    if (event.event === 'line') {
      state.lines.push(event.text);
      if (state.lines.length > MAX_LINES) state.lines.splice(0, state.lines.length - MAX_LINES);
    } else if (event.event === 'end') {
      state.status = event.status;
      state.elapsed = event.elapsed;
      state.phase = event.timed_out ? 'timeout' : event.stopped ? 'stopped' : 'done';
      state.note = event.stopped || '';
    }
    update();
  }

  function readEvents(body, onEvent) {
    var reader = body.getReader(), decoder = new TextDecoder(), buffer = '';
    function pump() {
      return reader.read().then(function (chunk) {
        buffer += decoder.decode(chunk.value || new Uint8Array(), {stream: !chunk.done});
        var lines = buffer.split('\n');
        buffer = lines.pop();
        lines.forEach(function (line) { if (line) onEvent(JSON.parse(line)); });
        if (!chunk.done) return pump();
      });
    }
    return pump();
  }

  function stop() {
    if (controller) controller.abort();
    controller = null;
  }

  function run() {
    var article = currentArticle();
    var marker = article && article.querySelector('[data-liverun]');
    // No make present server: pyrun.js runs the slide's pure snippet in the browser (Pyodide).
    var here = !secret && window.deckPyrun ? window.deckPyrun.name(article) : '';
    if (!marker && !here) {
      toast('No snippet to run on this slide.');
      return;
    }
    if (here && !/^https?:$/.test(location.protocol)) {
      toast(window.deckPyrun.FILE_NOTE);
      return;
    }
    if (!here && (!secret || !/^https?:$/.test(location.protocol))) {
      toast('Live runs need the presenter server: make present');
      return;
    }
    stop();
    var ctl = controller = here
      ? window.deckPyrun.start(here, function (event) { if (ctl === controller) handle(event); })
      : new AbortController();
    state = {open: true, visible: true, slide: article.id, name: here || marker.dataset.liverun, lines: [],
             phase: 'running', status: null, elapsed: null, started: Date.now(), note: ''};
    update();
    if (here) return;
    fetch('/run/' + encodeURIComponent(state.name), {
      method: 'POST', cache: 'no-store', signal: ctl.signal,
      headers: {'X-Liverun-Secret': secret}
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) {
          throw new Error('refused (' + response.status + '): ' + text.trim());
        });
      }
      return readEvents(response.body, function (event) { if (ctl === controller) handle(event); });
    }).then(function () {
      if (ctl === controller && state.phase === 'running') fail('the server closed the stream');
    }, function (error) {
      if (ctl === controller) fail(error.message || String(error));
    });
  }

  function fail(message) {
    state.phase = 'error';
    state.note = message;
    update();
  }

  function close() {
    stop();
    state.open = false;
    update();
  }

  function onKey(key) {
    if (key === 'r') run();
    else if (key === 'Escape' && state.open) close();
  }

  // -- wiring -------------------------------------------------------------------------------

  function init() {
    isConsole = !!document.getElementById('presenter_notes');
    var meta = document.querySelector('meta[name="liverun-secret"]');
    secret = meta ? meta.getAttribute('content') : '';

    document.addEventListener('keydown', function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      if (event.key !== 'r' && !(event.key === 'Escape' && (isConsole || state.open))) return;
      if (isConsole) {
        if (channel) channel.postMessage({type: 'key', key: event.key});
      } else {
        onKey(event.key);
      }
      event.preventDefault();
    }, false);

    if (!channel) return;
    if (isConsole) {
      channel.onmessage = function (message) {
        if (message.data.type === 'state') draw(message.data.state);
      };
      channel.postMessage({type: 'hello'});
    } else {
      channel.onmessage = function (message) {
        if (message.data.type === 'key') onKey(message.data.key);
        else if (message.data.type === 'hello' && state.name) update();
      };
      window.addEventListener('hashchange', function () { if (state.name) update(); }, false);
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init, false);
  else init();
}());
