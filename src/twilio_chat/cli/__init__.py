"""The `twilio-chat` command: create one service, provision many, or run the local emulator.

Credentials follow `ChatClient`'s rules; secrets are read from the environment only
(`TWILIO_AUTH_TOKEN` or `TWILIO_API_SECRET`), never from flags, and never printed.
Exit codes: 0 success, 2 usage or configuration error (found before any request, files
included), 3 API or network error (refused credentials included), 4 ambiguous outcome (a
service may or may not exist), 5 a file could not be written after work started (the same
command resumes), 130 interrupted (Ctrl+C), 143 terminated (SIGTERM). `--debug` adds the
traceback, never changes the code.
"""

from ._main import main

__all__ = ["main"]
