# The deck, the site and the tests.  `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
BUILD  ?= _build
# Where `make site` writes the folder to publish (Read the Docs: $READTHEDOCS_OUTPUT/html).
SITE   ?= $(BUILD)/site
SPHINX := $(BIN)/python -W error -m sphinx -W --keep-going -q -c .
# Which Sphinx builder livehtml serves: html (the site) or singlefile-slides (the deck).
LIVE   ?= singlefile-slides
PYTEST_ARGS ?=
# The real servers and the browser the tests use, from Debian.
# debootstrap makes the chroot in which `make matrix` runs the Pythons pyenv lacks (.ci/chroot);
# nginx's echo module delays the benchmark's answers (make bench).
# CHROMIUM_DEB: Debian's chromium; empty where there is none (Ubuntu: a snap stub) and $CHROMIUM names
# another Chromium (the GitHub workflow: the runner's Chrome).
# shellcheck: actionlint runs it on the workflows' run: scripts (tests/test_workflows.py).
# libnss3: the one library npm-chromium's Chromium needs, as .readthedocs.yaml's apt_packages says.
CHROMIUM_DEB ?= chromium
DEB_PACKAGES := make python3-venv postgresql redis-server nginx libnginx-mod-http-echo $(CHROMIUM_DEB) \
                fonts-dejavu-core debootstrap shellcheck libnss3
# Pyodide (CPython in WebAssembly) for the snippets that run in the reader's browser: fetched once
# from the npm registry by exact version, checked, kept here (not in $(BUILD): make site wipes its folder).
export PYODIDE_CACHE ?= .cache/pyodide
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)


.PHONY: help deps npm-chromium install pyodide bench-browser slides open present html site pdf livehtml check test test-busy mutate matrix matrix-host matrix-chroot demo-server bench bench-ready bench-versions bench-check clean

help:
	@echo "make open       build the slides and open them in a browser"
	@echo "make present    build the slides, serve them on 127.0.0.1 with live runs (key r), open a browser"
	@echo "make slides     build the slide deck into $(BUILD)/slides/index.html"
	@echo "make html       build the HTML site into $(BUILD)/html/"
	@echo "make site       the site to publish: HTML + slides + snippets, cross-linked, in $(SITE)/"
	@echo "                (DECK_BASE_URL=https://NAME.github.io/TALK/ make site: absolute og:image, 404 links)"
	@echo "make pdf        a PDF handout, one slide per page, into $(BUILD)/slides.pdf (headless Chromium)"
	@echo "make livehtml   rebuild and reload on every edit (LIVE=html for the site)"
	@echo "make deps       install the servers and browser the tests use (Debian, root or sudo)"
	@echo "make npm-chromium  the Chromium Read the Docs takes the preview with (npm); prints its path"
	@echo "make check      ruff, then the test suite on $(VENV)'s Python (the edit loop; installs the packages)"
	@echo "make test       make check with the publishing tests (the site as a host serves it), then make matrix"
	@echo "make matrix     tests and deck builds on Python 3.11 to 3.15 (nox, chroot; part of make test)"
	@echo "make test-busy  the timing-sensitive tests with every core busy (they must stay green)"
	@echo "make mutate     break the slides' code on purpose, one break at a time: which tests notice (~30 min)"
	@echo "make demo-server  the local HTTP and echo demo servers in the foreground"
	@echo "make bench      measure processes, threads, asyncio, uvloop on the headline Python; write slides/bench/ (< 10 min)"
	@echo "make bench-versions  threads, asyncio, uvloop in rounds on Python 3.11 to 3.15: slides/bench/versions* (< 15 min)"
	@echo "make bench-ready     make every Python of bench-versions ready (venvs, the chroot): once, before it"
	@echo "make bench-check     rerun the comparison; print it beside the committed spread (< 3 min)"
	@echo "make bench-browser  click to first output of a Run button, cold and warm; what Pyodide adds to $(SITE)"
	@echo "make clean      remove builds and caches (keeps $(VENV) and the chroot, $(CHROOT))"

# npm (Pyodide, npm-chromium): Debian's, unless a Node.js with its own npm is there (NodeSource's
# nodejs conflicts with Debian's npm package).
deps:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES)
	command -v npm >/dev/null || $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
	npm cache add $(NPM_CHROMIUM_PACKAGE)

# Read the Docs' Chromium, for the preview picture.  Ubuntu has no chromium package (a snap stub),
# and Playwright's own build comes from its CDN, which this project's machines cannot reach; the npm
# package @sparticuz/chromium carries Chromium's headless shell in its tarball (built from Chromium's
# sources by the package's own CI: github.com/Sparticuz/chromium).  Of the system it needs NSS
# (libnss3) and glibc only.  Fetched by npm (`make deps` puts it in npm's cache, so the tests run
# offline), checked against the SHA-256 below, unpacked once.  Prints the Chromium's path.
NPM_CHROMIUM_PACKAGE := @sparticuz/chromium@153.0.0
NPM_CHROMIUM_SHA256  := 20e5656fcdcf4118ede85edfb9d6bb9cc1bbb7ffb8b75622fffbcf36a835c3c0
NPM_CHROMIUM := $(abspath $(BUILD))/npm-chromium/chromium
# node's brotli: IN to OUT, executable
UNBROTLI := const fs = require("fs"), zlib = require("zlib"); fs.writeFileSync(process.argv[2], \
            zlib.brotliDecompressSync(fs.readFileSync(process.argv[1])), {mode: 0o755})
npm-chromium: $(NPM_CHROMIUM)
	@echo $(NPM_CHROMIUM)

$(NPM_CHROMIUM):
	rm -rf $(@D) && mkdir -p $(@D)
	cd $(@D) && npm pack --silent $(NPM_CHROMIUM_PACKAGE) > /dev/null && mv *.tgz package.tgz
	cd $(@D) && echo "$(NPM_CHROMIUM_SHA256)  package.tgz" | sha256sum --check --quiet
	tar -xzf $(@D)/package.tgz -C $(@D) package/bin/chromium.br
	node -e '$(UNBROTLI)' $(@D)/package/bin/chromium.br $@.part
	rm -rf $(@D)/package $(@D)/package.tgz
	mv $@.part $@

# The virtual environment, rebuilt when requirements.txt changes.
$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip check
	touch $@

install: $(VENV)/.installed

# Pyodide's five files for the builds (slides/tools/pyodide.py: npm pack, sha512 checked); once.
pyodide: install
	$(BIN)/python -W error -m slides.tools.pyodide fetch

slides: install pyodide
	$(SPHINX) -b singlefile-slides -d $(BUILD)/doctrees-slides slides $(BUILD)/slides
	@echo "slides: $(BUILD)/slides/index.html"

open: slides
	$(BIN)/python -m webbrowser -t "file://$(abspath $(BUILD))/slides/index.html"

# The deck from a local server (127.0.0.1 only) with the demo servers: `r` on a slide runs its
# snippet and shows the output.  Ctrl-C stops it all.  PRESENT_ARGS: e.g. --port 8001 --no-browser
PRESENT_ARGS ?=
present: slides
	$(BIN)/python -m slides.tools.present $(BUILD)/slides $(PRESENT_ARGS)

html: install pyodide
	$(SPHINX) -b html -d $(BUILD)/doctrees-html slides $(BUILD)/html
	@echo "site: $(BUILD)/html/index.html"

# One folder for any static host (GitHub/GitLab Pages, Netlify, Read the Docs), at its root or
# under a sub-path: the HTML site at its root, the deck in slides/, linked both ways (conf.py:
# tag "site"), the snippets as pages and plain files in snippets/, .nojekyll, 404.html, and
# the title slide as the picture of link previews (_static/preview.png, headless Chromium).
site: install pyodide
	rm -rf $(SITE)
	$(SPHINX) -t site -b html -d $(BUILD)/doctrees-site slides $(SITE)
	$(SPHINX) -t site -b singlefile-slides -d $(BUILD)/doctrees-site-slides slides $(SITE)/slides
	$(BIN)/python -W error -m slides.tools.publish preview $(SITE)/slides/index.html $(SITE)/_static/preview.png
	@echo "site: $(SITE)/index.html ($$(du -sh $(SITE) | cut -f1))"

pdf: slides
	$(BIN)/python -W error -m slides.tools.publish pdf $(BUILD)/slides/index.html $(BUILD)/slides.pdf

livehtml: install pyodide
	$(BIN)/sphinx-autobuild -b $(LIVE) -c . --watch snippets --ignore "$(abspath $(BUILD))/*" \
	    --host 127.0.0.1 --port 8000 --open-browser slides $(BUILD)/live

# The suite on the venv's Python, CHECK_JOBS test files at a time (pytest-xdist: a file stays on
# one worker, so its fixtures are made once; each worker is `python -W error`): it waits on servers
# and subprocesses more than it computes.
CHECK_JOBS ?= 2
PYTEST_JOBS = $(BIN)/python -W error -m pytest -d --tx "$(CHECK_JOBS)*popen//python=$(BIN)/python -W error" \
              --dist loadfile

# The edit loop: ruff (pyproject.toml), then the suite but the tests marked publishing
# (tests/test_site.py: two more builds of the published folder, crawled page by page; and
# axe-core on every page of the site, tests/test_accessibility.py).
check: install pyodide
	$(BIN)/ruff check .
	$(PYTEST_JOBS) -m "not publishing" $(PYTEST_ARGS)

# What CI runs (.ci/run): make check with the publishing tests (one run: the site is built once),
# then the suite but its browser and real-sleep tests on the other supported Pythons (make matrix).
test: install pyodide
	$(BIN)/ruff check .
	$(PYTEST_JOBS) $(PYTEST_ARGS)
	$(MAKE) matrix MATRIX="$(filter-out $(VENV_PY),$(MATRIX))"

# The tests that involve time or concurrency, run while a spinning process keeps every core busy.
TIMING_TESTS := tests/test_asyncio.py tests/test_modern.py tests/test_idioms.py \
	tests/test_under_the_hood.py tests/test_blocking.py tests/test_nonblocking.py tests/test_libraries.py
test-busy: install
	$(BIN)/python -W error -m pytest --busy -q $(TIMING_TESTS) $(PYTEST_ARGS)

# Mutation testing: each break of tests/mutate.py applied to a copy of the project, the tests that
# name its module run against it; survivors must be explained in tests/mutation_survivors.txt.
# MUTATE_ARGS='http_threads echo_streams' runs the breaks of those snippets only; two at a time.
MUTATE_ARGS ?=
mutate: install
	$(BIN)/python tests/mutate.py -j 2 $(MUTATE_ARGS)

# Every supported Python (noxfile.py's sessions).  Those in CHROOT_PYTHONS come from Debian's
# unstable suite in a chroot that .ci/chroot makes (root, debootstrap; cached in $(CHROOT));
# the others from pyenv, found by nox through its shims once PYENV_VERSION names them.
# A Python the machine lacks is skipped with a message, and fails the run under CI=true.
MATRIX  ?= 3.11 3.12 3.13 3.14 3.15
CHROOT_PYTHONS ?= 3.14 3.15
CHROOT  ?= .chroot
VENV_PY  = $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
PYENV_PYTHONS := $(shell pyenv versions --bare 2>/dev/null | grep -E '^3\.[0-9]+\.[0-9]+$$' | sort -rV | paste -sd: -)
HOST_MATRIX   = $(filter-out $(CHROOT_PYTHONS),$(MATRIX))
CHROOT_MATRIX = $(filter $(CHROOT_PYTHONS),$(MATRIX))
# The two halves run side by side (MATRIX_JOBS=1: one after the other): a suite waits on its
# servers and subprocesses more than it computes, so two fit on two cores.  Each half's output is
# printed when it ends; both run to the end even when the other fails.
MATRIX_JOBS ?= 2
matrix: install pyodide
	@echo "matrix: $(or $(HOST_MATRIX),none) here (nox), $(or $(CHROOT_MATRIX),none) in the chroot; $(MATRIX_JOBS) at a time, each one's output as it ends"
	@$(MAKE) --no-print-directory -k -j$(MATRIX_JOBS) --output-sync=target \
	    $(if $(HOST_MATRIX),matrix-host) $(if $(CHROOT_MATRIX),matrix-chroot)

matrix-host: install
	PYENV_VERSION="$(PYENV_PYTHONS)" $(BIN)/nox -p $(HOST_MATRIX)

matrix-chroot:
	CHROOT="$(CHROOT)" .ci/chroot $(CHROOT_MATRIX)

demo-server: install
	$(BIN)/python -m snippets._demo_server

# The measured slides' figures, from this machine (python -m slides.tools.bench; what is compared,
# at which N and d, on which Pythons, lives in slides/tools/bench/config.py).  N requests to nginx
# answered after d each, by processes, threads, asyncio and uvloop; at the compared N, rounds in
# which every model (and asyncio with its cycle collector frozen or its threshold raised) runs in
# turn.  On the headline Python: the venv's if it is that one or newer, else the chroot's
# (.ci/bench; BENCH_PYTHON=venv: the venv's whatever it is).  A busy machine (others' processes or
# the hypervisor's steal over 5% of the CPU) writes and prints nothing and fails, unless
# KEEP_BUSY=1.  Commit slides/bench/ afterwards.
BENCH_PYTHON ?= $(shell $(BIN)/python -m slides.tools.bench where 2>/dev/null)
KEEP_BUSY ?=
BENCH_ENV = CHROOT="$(CHROOT)" VENV="$(VENV)" BENCH_VENVS="$(BUILD)/bench-venvs"
BENCH_BUSY = $(if $(KEEP_BUSY),--keep-busy)
bench: install
	$(BENCH_ENV) .ci/bench $(BENCH_PYTHON) -- sweep --out slides/bench --command "make bench" $(BENCH_BUSY)

# Same code, newer Python: threads, asyncio and uvloop at the compared N on every Python of
# config.PYTHONS (pyenv's, and Debian sid's in the chroot), one take of each per round, the Pythons
# in turn, into slides/bench/versions.csv, its table, chart and figures.  BENCH_VERSIONS="3.13 3.14"
# measures those only (and the slide then shows only those).
BENCH_VERSIONS ?=
bench-versions: install
	$(BENCH_ENV) $(BIN)/python -W error -m slides.tools.bench versions --out slides/bench \
	    $(if $(BENCH_VERSIONS),--pythons $(BENCH_VERSIONS)) $(BENCH_BUSY)

# Every Python of bench-versions ready to measure: pyenv's venvs, the chroot with Debian's packages
# (made or remade on first use, minutes; a run of bench-versions would otherwise wait for it).
bench-ready: install
	$(BENCH_ENV) $(BIN)/python -W error -m slides.tools.bench ready $(if $(BENCH_VERSIONS),--pythons $(BENCH_VERSIONS))

# The comparison again, in rounds, each model's median beside the spread of the committed takes
# (slides/bench/bench.csv): run it on the laptop you present from.  Writes nothing.
bench-check: install
	$(BENCH_ENV) .ci/bench $(BENCH_PYTHON) -- check $(BENCH_BUSY)

# Run buttons (Pyodide in the browser), measured on $(SITE) (make site first): not a test, a reading.
bench-browser: install
	$(BIN)/python -W error -m slides.tools.pyodide bench $(SITE)

clean:
	rm -rf $(BUILD) .pytest_cache
	find . \( -path "./$(VENV)" -o -path "./$(CHROOT)" \) -prune -o -name __pycache__ -prune -exec rm -rf {} +
