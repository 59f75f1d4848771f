"""Benchmarks for twilio-chat.

Run ``python -m bench`` (or ``make bench``). Each benchmark is a *section* registered in
:mod:`bench.sections`; ``python -m bench --section NAME`` runs one of them. The sections share:

* :mod:`bench._backend` - a loopback HTTP server (nginx when installed, otherwise the asyncio
  server in :mod:`bench._server`) pinned to its own CPU, with CPU accounting;
* :mod:`bench._harness` - the closed-loop load generator (N requests, K concurrent workers);
* :mod:`bench._report` - Markdown output;
* :mod:`bench._machine` - CPU pinning and a description of the machine.

Nothing here ever talks to anything but 127.0.0.1.
"""
