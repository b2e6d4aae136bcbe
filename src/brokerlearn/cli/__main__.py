"""`python -m brokerlearn.cli`, as `brokerlearn` and `python -m brokerlearn`."""
from brokerlearn.cli import main

main()
