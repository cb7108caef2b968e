"""The programs that build, present and measure the deck (run from the project root as `python -m slides.tools.NAME`)."""
