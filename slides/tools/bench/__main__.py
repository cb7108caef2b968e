"""``python -m slides.tools.bench``: the benchmark's command line (see ``cli``)."""
from slides.tools.bench.cli import main

raise SystemExit(main())
