"""klongtorch.shell: a cell's text in, one result record out, for every front end.

The session (session.py) splits a cell into Klong and ]-commands, lexes it once, runs it,
and turns errors, interrupts and figures into one record; the ]-commands (commands.py);
the help table (help.py); the terminal REPL and script runner (cli.py). The Jupyter kernel
(klongtorch.kernel) and the IPython magic (klongtorch.magics) are adapters over the session.

May import: klongtorch.interpreter and every layer below it.
"""
