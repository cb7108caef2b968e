/* Presenting the deck on today's screens, on top of hieroglyph's slides (its slides.js, sync.js,
   controller.js and console.js stay as they are; slides/_ext/deck_stage.py loads this file on the
   deck and on the presenter console, before hieroglyph's scripts).

   - Fit: every slide is laid out at one design size (--deck-width x --deck-height in custom.css)
     and the whole stage is scaled with a CSS transform to fill the window, keeping its aspect
     ratio (deck.css).  The console's previews and the overview's thumbnails are the same layout,
     scaled down.
   - Steps: a code block with `:steps:` (slides/_ext/deck_steps.py) highlights one group of lines
     per "next" key before the deck moves on; "previous" steps back.
   - Keys (the help overlay, `?`, lists them), a black screen, a slide number then Enter, deep
     links (#slide-id, #slide-id/step) that survive a reload.
   - The console: elapsed time, wall clock, pace against <meta name="deck-talk-minutes">, the
     current step, large notes.  The timer lives in the deck window (so the console can be closed
     and reopened) and reaches the console through hieroglyph's own messages (SlideSync).
   - Messages: the deck and its console take those of their own origin only.

   Nothing here loads anything: the deck works offline. */
(function () {
  'use strict';

  var root = document.documentElement;
  var mode = null;                 // 'deck' or 'console', once the page is ready

  // -- Messages: from the deck's own origin only ----------------------------------------------
  // The deck and its console talk by postMessage.  A message from another origin (a page that
  // opened or framed the deck) is not theirs: it could move the deck to a slide and have `r` run
  // its code (issue 33).  This capturing listener comes first in the window's listeners, ahead
  // of hieroglyph's: its sync.js ('register', 'nextSlide', 'prevSlide') and console.js accept
  // a message from any origin; a foreign one goes no further.  (A file:// deck's origin is
  // opaque: its windows' messages say 'null' or 'file://', which no web page can send to it.)
  function ownOrigin(event) {
    if (location.protocol === 'file:') return event.origin === 'null' || event.origin === 'file://';
    return event.origin === location.origin;
  }
  window.addEventListener('message', function (event) {
    if (!ownOrigin(event)) event.stopImmediatePropagation();
  }, true);
  // and our own messages go to our own origin only (a file:// deck's can only say '*')
  var TARGET = location.protocol === 'file:' ? '*' : location.origin;

  // -- Keys: one table, for the handlers and the help overlay -----------------------------
  var HELP = [
    ['→  ↓  Space  PageDown  Enter', 'next step of the code, or next slide'],
    ['←  ↑  PageUp  Backspace', 'previous step, or previous slide'],
    ['Shift+→  Shift+←', 'next / previous slide, skipping steps'],
    ['swipe left  swipe right', 'on a touch screen: next / previous, as → and ←'],
    ['Home  End', 'first / last slide'],
    ['number, then Enter', 'go to that slide (Esc cancels)'],
    ['f', 'full screen (again: leave it)'],
    ['b  .', 'black screen (again: back)'],
    ['c', 'presenter console: clock, timer, pace, step, notes'],
    ['t', 'overview of all slides (click one to go there)'],
    ['p', 'pause / resume the talk timer'],
    ['z', 'reset the talk timer (it starts again on the next move)'],
    ['r', "run this slide's code (make present)"],
    ['?', 'this help (any key closes it)']
  ];

  function designSize() {
    var style = getComputedStyle(root);
    return {
      width: parseFloat(style.getPropertyValue('--deck-width')),     // custom.css: the one design size
      height: parseFloat(style.getPropertyValue('--deck-height'))
    };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Enter or Space on a button or link that has the keyboard's focus (the console's pause, reset,
  // prev, next) presses it, instead of moving the deck on.
  function pressing(event) {
    var target = event.target;
    return (event.key === 'Enter' || event.key === ' ') && target && target.matches &&
      target.matches('button:focus-visible, a[href]:focus-visible');
  }

  function typing(event) {
    var target = event.target;
    return target && target.closest && target.closest('input, textarea, select, [contenteditable]');
  }

  // -- Fit: the stage's scale ----------------------------------------------------------------
  function fit() {
    var size = designSize();
    root.style.setProperty('--deck-scale', String(Math.min(innerWidth / size.width, innerHeight / size.height)));
    var columns = Math.max(2, Math.round(innerWidth / 420));     // the overview's thumbnails
    root.style.setProperty('--deck-thumb', String((innerWidth - 24 * (columns + 1)) / columns / size.width));
    if (mode === 'console') fitConsole(size);
  }

  // -- Steps ---------------------------------------------------------------------------------
  function stepsOf(article) {
    if (!article) return [];
    if (!article._deckSteps) {
      var steps = [];
      article.querySelectorAll('.deck-steps').forEach(function (block) {
        JSON.parse(block.getAttribute('data-deck-steps')).forEach(function (lines) {
          steps.push({block: block, lines: lines});
        });
      });
      article._deckSteps = steps;
      article.setAttribute('data-deck-steps', String(steps.length));
    }
    return article._deckSteps;
  }

  function stepOf(article) {
    return article ? Number(article.getAttribute('data-deck-step') || 0) : 0;
  }

  function setStep(article, n) {
    var steps = stepsOf(article);
    n = Math.max(0, Math.min(n, steps.length));
    if (steps.length) article.setAttribute('data-deck-step', String(n));
    article.querySelectorAll('.deck-steps').forEach(function (block) {
      block.classList.remove('deck-stepping');
      block.querySelectorAll('.deck-step-on').forEach(function (line) { line.classList.remove('deck-step-on'); });
    });
    if (n > 0) {
      var step = steps[n - 1], lines = step.block.querySelectorAll('.deck-line');
      step.block.classList.add('deck-stepping');
      step.lines.forEach(function (k) { if (lines[k - 1]) lines[k - 1].classList.add('deck-step-on'); });
    }
  }

  // -- The deck ------------------------------------------------------------------------------
  function articles() { return document.querySelectorAll('section.slides > article'); }
  function inOverview() { return document.querySelector('section.slides.table') !== null; }
  function current() { return document.querySelector('section.slides > article.current'); }

  // A deep link #slide-id/2 names a step: keep the step, give hieroglyph the plain #slide-id.
  var entering = 0;                // the step a slide shows when it becomes current
  (function () {
    var match = /^#([^/]+)\/(\d+)$/.exec(location.hash);
    if (match) {
      entering = Number(match[2]);
      history.replaceState(null, '', '#' + match[1]);
    }
  }());

  document.addEventListener('slideenter', function (event) {   // hieroglyph's event
    document.querySelectorAll('section.slides > article[data-deck-step]').forEach(function (article) {
      if (article !== event.target && stepOf(article)) setStep(article, 0);   // the next preview too
    });
    setStep(event.target, entering === null ? 0 : entering);
    entering = null;
    moved();
  });

  function parseHash(hash) {
    var match = /^#([^/]*)(?:\/(\d+))?$/.exec(hash);
    if (!match || !match[1]) return null;
    var all = articles(), index = -1;
    if (/^\d+$/.test(match[1])) index = Number(match[1]) - 1;
    else for (var i = 0; i < all.length; i++) if (all[i].id === match[1]) index = i;
    return index >= 0 && index < all.length ? {index: index, step: Number(match[2] || 0)} : null;
  }

  function writeHash() {
    var article = current();
    if (!article || !article.id) return;
    var step = stepOf(article);
    history.replaceState(null, '', '#' + article.id + (step ? '/' + step : ''));
  }

  var moving = false;
  function moved() {               // after any change of slide or step
    if (mode === 'deck') startTimer();   // not on the first slide the page opens at
    if (moving) return;
    moving = true;
    // hieroglyph writes #<number> after its slideenter event: write the id once it is done
    Promise.resolve().then(function () { moving = false; writeHash(); });
  }

  function syncConsole() {
    // hieroglyph's handler answers any message by sending the current slide to the consoles
    SlideSync.handleMessage({command: 'deck-sync'}, window);
  }

  function goTo(index, step) {
    var all = articles();
    index = Math.max(0, Math.min(index, all.length - 1));
    if (inOverview()) SlideDeck.toggleView();
    if (index !== SlideDeck.curSlide()) {
      entering = step || 0;
      SlideDeck.setLocation(index);
      entering = null;
    } else {
      setStep(current(), step || 0);
      moved();
    }
    syncConsole();
  }

  function installSteps() {
    // The console and the keys call SlideDeck.nextSlide/prevSlide through SlideSync: step first.
    var next = SlideDeck.nextSlide, prev = SlideDeck.prevSlide;
    SlideDeck.nextSlide = function () {
      var article = current();
      if (!inOverview() && article && stepOf(article) < stepsOf(article).length) {
        setStep(article, stepOf(article) + 1);
        moved();
        return;
      }
      entering = 0;
      next();
      entering = null;
    };
    SlideDeck.prevSlide = function () {
      var article = current();
      if (!inOverview() && article && stepOf(article) > 0) {
        setStep(article, stepOf(article) - 1);
        moved();
        return;
      }
      entering = Infinity;            // back onto a slide: at its last step
      prev();
      entering = null;
    };
  }

  // hieroglyph defect: its click areas at the slides' sides call its internal next/previous,
  // so a click skipped the steps and left the presenter console behind.  Route them through
  // SlideSync as the keys are.
  window.addEventListener('click', function (event) {
    if (mode !== 'deck' || !event.target || !event.target.id) return;
    if (event.target.id === 'next-slide-area' || event.target.id === 'prev-slide-area') {
      event.stopPropagation();
      if (event.target.id === 'next-slide-area') SlideSync.nextSlide(); else SlideSync.prevSlide();
    }
  }, true);

  // hieroglyph defect: its swipes (touchstart on the body) call its internal next/previous too, so
  // a swipe skipped the steps and left the console behind.  Take the gesture before it (capture on
  // the window) and read it as hieroglyph does: one finger, more than its PM_TOUCH_SENSITIVITY
  // (common.js) across, mostly across.
  var swipe = null;
  window.addEventListener('touchstart', function (event) {
    if (mode !== 'deck') return;
    event.stopPropagation();
    var touch = event.touches[0];
    swipe = event.touches.length === 1 ? {x: touch.pageX, y: touch.pageY, dx: 0, dy: 0} : null;
  }, true);
  window.addEventListener('touchmove', function (event) {
    if (mode !== 'deck' || !swipe) return;
    if (event.touches.length > 1) { swipe = null; return; }
    swipe.dx = event.touches[0].pageX - swipe.x;
    swipe.dy = event.touches[0].pageY - swipe.y;
  }, true);
  window.addEventListener('touchend', function () {
    if (mode !== 'deck' || !swipe) return;
    var dx = Math.abs(swipe.dx), dy = Math.abs(swipe.dy), right = swipe.dx > 0;
    swipe = null;
    if (dx > PM_TOUCH_SENSITIVITY && dy < dx * 2 / 3) {
      if (right) SlideSync.prevSlide(); else SlideSync.nextSlide();
    }
  }, true);

  window.addEventListener('hashchange', function () {
    if (mode !== 'deck') return;
    var target = parseHash(location.hash);
    if (target && (target.index !== SlideDeck.curSlide() || target.step !== stepOf(current()))) {
      goTo(target.index, target.step);
    }
  });

  // -- Timer: in the deck window; the consoles get its state ---------------------------------
  var timer = {started: false, start: 0, pausedAt: null};

  function startTimer() {
    if (!timer.started) {
      timer = {started: true, start: Date.now(), pausedAt: null};
      sendState();
    }
  }

  function timerAction(action) {
    var now = Date.now();
    if (action === 'reset') {
      timer = {started: false, start: 0, pausedAt: null};
    } else if (!timer.started) {
      timer = {started: true, start: now, pausedAt: null};
    } else if (timer.pausedAt === null) {
      timer.pausedAt = now;
    } else {
      timer.start += now - timer.pausedAt;
      timer.pausedAt = null;
    }
    sendState();
  }

  function sendState() {
    if (mode !== 'deck') return;
    SlideSync.sendMessage({command: 'deck-state', timer: timer, black: root.classList.contains('deck-black')});
  }

  function toggleBlack() {
    root.classList.toggle('deck-black');
    sendState();
  }

  function toggleFullScreen() {
    var request = document.fullscreenElement ? document.exitFullscreen() : root.requestFullscreen();
    if (request && request.catch) request.catch(function () {});  // refused: stay as we are
  }

  // -- Overlays: help, black screen, the slide number being typed ----------------------------
  function buildOverlays() {
    // A dialog that takes the focus while open (a screen reader reads it), and gives it back.
    var help = el('div', {id: 'deck-help', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Keys',
                          tabindex: '-1'});
    help.appendChild(el('h2', {}, 'Keys'));
    var table = el('table');
    HELP.forEach(function (row) {
      var tr = el('tr');
      tr.appendChild(el('th', {}, row[0]));
      tr.appendChild(el('td', {}, row[1]));
      table.appendChild(tr);
    });
    help.appendChild(table);
    document.body.appendChild(help);
    document.body.appendChild(el('div', {id: 'deck-black-screen'}));
    document.body.appendChild(el('div', {id: 'deck-goto', 'aria-live': 'polite'}));
  }

  var typed = '';
  function showTyped() {
    var box = document.getElementById('deck-goto');
    box.textContent = typed ? 'slide ' + typed + ' ⏎' : '';
    root.classList.toggle('deck-typing', typed !== '');
  }

  var helpReturn = null;                               // what had the focus before the help
  function helpOpen() { return root.classList.contains('deck-help-open'); }

  // The deck's and the console's keys, before hieroglyph's handlers (capture on window);
  // c, t and the keys this file does not know go on to hieroglyph and other scripts.
  function onKey(event) {
    if (!mode || event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    if (pressing(event)) {                             // the control's, not hieroglyph's "next"
      event.stopPropagation();
      return;
    }
    var key = event.key;
    if (key === 'Shift') return;
    if (helpOpen()) {                                  // any key closes the help
      root.classList.remove('deck-help-open');
      if (helpReturn && helpReturn.focus) helpReturn.focus();
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    var act = mode === 'deck' ? deckAction : consoleAction;
    var done = true;
    if (/^[0-9]$/.test(key)) {
      typed = (typed + key).slice(-4);
      showTyped();
    } else if (typed && key === 'Enter') {
      act('goto', Number(typed));
    } else if (typed && key === 'Escape') {
      // cancelled: cleared below
    } else if (typed && key === 'Backspace') {
      typed = typed.slice(0, -1);
      showTyped();
      event.preventDefault();
      event.stopPropagation();
      return;
    } else if (event.shiftKey && (key === 'ArrowRight' || key === 'ArrowLeft')) {
      act(key === 'ArrowRight' ? 'next-slide' : 'prev-slide');
    } else if (['ArrowRight', 'ArrowDown', ' ', 'PageDown', 'Enter'].indexOf(key) >= 0) {
      act(event.shiftKey && key === ' ' ? 'prev' : 'next');
    } else if (['ArrowLeft', 'ArrowUp', 'PageUp', 'Backspace'].indexOf(key) >= 0) {
      act('prev');
    } else if (key === 'Home' || key === 'End') {
      act(key === 'Home' ? 'first' : 'last');
    } else if (key === 'f' || key === 'F') {
      toggleFullScreen();
    } else if (key === 'b' || key === 'B' || key === '.') {
      act('black');
    } else if (key === '?') {
      helpReturn = document.activeElement;
      root.classList.add('deck-help-open');
      document.getElementById('deck-help').focus();
    } else if (key === 'p' || key === 'P') {
      act('pause');
    } else if (key === 'z' || key === 'Z') {
      act('reset');
    } else if (key === 'Escape' && root.classList.contains('deck-black') && mode === 'deck') {
      act('black');
    } else {
      done = false;
    }
    if (done && typed && !/^[0-9]$/.test(key)) {
      typed = '';                                      // a number is typed, then Enter
      showTyped();
    }
    if (done) {
      event.preventDefault();
      event.stopPropagation();
    }
  }
  window.addEventListener('keydown', onKey, true);

  function deckAction(action, value) {
    var index = SlideDeck.curSlide(), all = articles();
    switch (action) {
      case 'next': SlideSync.nextSlide(); break;
      case 'prev': SlideSync.prevSlide(); break;
      case 'next-slide': if (!inOverview()) goTo(index + 1, 0); break;
      case 'prev-slide': if (!inOverview()) goTo(index - 1, 0); break;
      case 'first': goTo(0, 0); break;
      case 'last': goTo(all.length - 1, 0); break;
      case 'goto': if (value >= 1 && value <= all.length) goTo(value - 1, 0); break;
      case 'black': toggleBlack(); break;
      case 'pause': case 'reset': timerAction(action); break;
    }
  }

  // -- The presenter console -----------------------------------------------------------------
  function consoleAction(action, value) {
    if (!window.opener) return;                             // the deck's window was closed
    if (action === 'next' || action === 'prev') {         // as hieroglyph's console sends them
      window.opener.postMessage({command: action === 'next' ? 'nextSlide' : 'prevSlide'}, TARGET);
    } else {
      window.opener.postMessage({command: 'deck-action', action: action, value: value}, TARGET);
    }
  }

  window.addEventListener('message', function (event) {
    if (!ownOrigin(event)) return;
    var data = event.data || {};
    if (mode === 'deck') {
      if (data.command === 'deck-action') deckAction(data.action, data.value);
      // a console registered: hieroglyph adds it to its listeners, then it gets the timer too
      if (data.command === 'register') setTimeout(sendState, 0);
    } else if (mode === 'console' && data.command === 'deck-state') {
      consoleState = data;
      renderClock();
    }
  });

  var consoleState = {timer: {started: false, start: 0, pausedAt: null}, black: false};
  var talkMinutes = 0;

  function two(n) { return (n < 10 ? '0' : '') + n; }
  function duration(ms) {
    var s = Math.floor(Math.max(0, ms) / 1000);
    return (s >= 3600 ? Math.floor(s / 3600) + ':' + two(Math.floor(s / 60) % 60) : Math.floor(s / 60)) + ':' + two(s % 60);
  }

  function buildConsole() {
    var bar = el('section', {id: 'deck-bar'});
    var timerBox = el('div', {id: 'deck-timer'});
    timerBox.appendChild(el('span', {id: 'deck-elapsed', title: 'elapsed (p: pause, z: reset)'}, '0:00'));
    timerBox.appendChild(el('button', {id: 'deck-pause', type: 'button'}, 'pause'));
    timerBox.appendChild(el('button', {id: 'deck-reset', type: 'button'}, 'reset'));
    bar.appendChild(timerBox);
    bar.appendChild(el('span', {id: 'deck-pace'}, ''));
    bar.appendChild(document.getElementById('controls'));   // hieroglyph's prev  N / M  next
    bar.appendChild(el('span', {id: 'deck-step'}, ''));
    bar.appendChild(el('span', {id: 'deck-black-state'}, 'screen black'));
    bar.appendChild(el('span', {id: 'deck-clock', title: 'wall clock'}, ''));
    document.body.insertBefore(bar, document.body.firstChild);
    document.getElementById('deck-pause').addEventListener('click', function () { consoleAction('pause'); });
    document.getElementById('deck-reset').addEventListener('click', function () { consoleAction('reset'); });

    var meta = document.querySelector('meta[name="deck-talk-minutes"]');
    talkMinutes = meta ? Number(meta.getAttribute('content')) : 0;

    new MutationObserver(renderStep).observe(document.getElementById('slide_container'), {childList: true});
    setInterval(renderClock, 250);
    renderClock();
  }

  function renderStep() {
    var article = document.querySelector('#slide_container > article.current');
    var steps = article ? Number(article.getAttribute('data-deck-steps') || 0) : 0;
    var step = article ? Number(article.getAttribute('data-deck-step') || 0) : 0;
    document.getElementById('deck-step').textContent = steps ? 'step ' + step + ' / ' + steps : '';
    root.classList.toggle('deck-has-steps', steps > 0);
    renderClock();
  }

  var barHeight = 0;
  function renderClock() {
    if (mode !== 'console') return;
    var bar = document.getElementById('deck-bar');
    if (bar.offsetHeight !== barHeight) {              // the bar wrapped or unwrapped: re-place
      barHeight = bar.offsetHeight;
      fitConsole(designSize());
    }
    var now = Date.now(), t = consoleState.timer;
    var elapsed = t.started ? (t.pausedAt === null ? now : t.pausedAt) - t.start : 0;
    document.getElementById('deck-elapsed').textContent = duration(elapsed);
    root.classList.toggle('deck-timer-paused', t.started && t.pausedAt !== null);
    root.classList.toggle('deck-timer-waiting', !t.started);
    root.classList.toggle('deck-screen-black', !!consoleState.black);
    document.getElementById('deck-pause').textContent = t.started && t.pausedAt === null ? 'pause' : (t.started ? 'resume' : 'start');
    var wall = new Date(now);
    document.getElementById('deck-clock').textContent = two(wall.getHours()) + ':' + two(wall.getMinutes());

    var pace = '', slide = Number(document.getElementById('cur_slide_num').textContent);
    var slides = Number(document.getElementById('num_slides').textContent);
    if (talkMinutes > 0 && t.started && slides > 1 && slide >= 1) {
      var talk = talkMinutes * 60000;
      // where we are in the deck against where the clock says we should be, in minutes
      var ahead = Math.round(((slide - 1) / (slides - 1) - elapsed / talk) * talkMinutes);
      var left = talk - elapsed;
      pace = (ahead > 0 ? ahead + ' min ahead' : ahead < 0 ? -ahead + ' min behind' : 'on time')
        + ' · ' + (left >= 0 ? duration(left) + ' left of ' : duration(-left) + ' over ') + talkMinutes + ' min';
      root.classList.toggle('deck-behind', ahead < 0);
      root.classList.toggle('deck-ahead', ahead > 0);
    }
    document.getElementById('deck-pace').textContent = pace;
  }

  function fitConsole(size) {
    // the current slide large at the left, the next one at its right, the notes below both
    var bar = document.getElementById('deck-bar');
    var gap = 12, top = (bar ? bar.offsetHeight : 60) + gap;
    var usable = innerWidth - 3 * gap;
    var row = (innerHeight - top - 2 * gap) * 0.56;
    var big = Math.min(usable * 0.62 / size.width, row / size.height);
    var small = Math.min((usable - big * size.width) / size.width, row / size.height);
    var set = function (name, value) { root.style.setProperty(name, String(value)); };
    set('--console-current-x', gap + 'px');
    set('--console-current-scale', big);
    set('--console-next-x', (2 * gap + big * size.width) + 'px');
    set('--console-next-scale', small);
    set('--console-top', top + 'px');
    set('--console-notes-top', (top + big * size.height + gap) + 'px');
  }

  // -- Start ---------------------------------------------------------------------------------
  fit();
  window.addEventListener('resize', fit);
  document.addEventListener('fullscreenchange', fit);

  document.addEventListener('DOMContentLoaded', function () {
    // hieroglyph's scripts come after this file: set up once their handlers have run
    setTimeout(function () {
      if (document.getElementById('controls') && window.opener) {
        mode = 'console';
        root.classList.add('deck-console');
        buildConsole();
        buildOverlays();
      } else if (window.SlideDeck && window.SlideSync) {
        mode = 'deck';
        root.classList.add('deck-presenting');
        installSteps();
        buildOverlays();
        entering = null;
        writeHash();
      }
      fit();
    }, 0);
  });
}());
