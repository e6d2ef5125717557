"""The `bestil` command: run the whole system locally, run one service, manage officers."""
