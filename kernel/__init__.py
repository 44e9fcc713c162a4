"""klongtorch.kernel: the Jupyter kernel for Klong on PyTorch.

    python -m klongtorch.kernel install [--user | --sys-prefix | --prefix DIR]

installs the kernelspec `klong` ("Klong (torch)"); Jupyter then runs
`python -m klongtorch.kernel -f CONNECTION_FILE`. One module per concern:

    kernel.py       KlongKernel: the requests, one session (klongtorch.shell.session) per kernel
    streams.py      .p/.d/.w output sent while a cell runs; input for .r
    shield.py       SIGINT ignored between a request's Klong code and its reply
    startup.py      the interpreter, built in a thread while the kernel answers
    outputs.py      a cell's value, figures and errors as Jupyter data
    completion.py   Tab: names, help topics, \\nabla -> ∇ and other LaTeX names
    inspection.py   Shift-Tab: help on primitives, definitions of functions, values
    history.py      the input history
    install.py      the kernelspec; logo.py draws its logos (resources/)
"""
