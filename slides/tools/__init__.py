"""The programs that build, present and measure the deck."""
