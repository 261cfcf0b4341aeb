"""A real pseudo-terminal for CLI tests, and a small screen that reads what it shows.

:func:`run_in_terminal` runs a command with its stdin and stderr on a pseudo-terminal of a
given size (set with ``TIOCSWINSZ``, as a terminal emulator does; ``COLUMNS`` and ``LINES``
are removed from its environment), its stdout on a pipe, and returns everything the
terminal received. :class:`Screen` plays that back through the few control sequences a
rich live display uses, and remembers what a user would have seen go wrong: a character
past the last column (the line wrapped), and rows pushed off the top of the screen.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Sequence

import attrs

_CSI = re.compile(r"\x1b\[([?0-9;]*)([A-Za-z])")
_OSC = re.compile(r"\x1b\][^\x07]*\x07")
# How rich starts each redraw of a live display: back to the start of its first row.
_REDRAW = re.compile(r"\r\x1b\[2K(?:\x1b\[1A\x1b\[2K)+")


class Screen:
    """A ``columns`` x ``rows`` terminal: cursor moves, erasing, scrolling; no colours."""

    def __init__(self, columns: int, rows: int) -> None:
        self.columns = columns
        self.rows = rows
        self.cells = [[" "] * columns for _ in range(rows)]
        self.row = self.col = 0
        self.scrolled: list[str] = []  # rows pushed off the top, oldest first
        self.overflow: list[str] = []  # rows a character was printed past the last column of
        self.tallest_frame = 0  # the most rows a live display moved back over, plus one
        self._ups = 0

    # --- what is on it ----------------------------------------------------------------

    @property
    def lines(self) -> list[str]:
        """The rows as they read now, trailing blanks dropped, blank rows at the end too."""
        text = ["".join(cells).rstrip() for cells in self.cells]
        while text and not text[-1]:
            text.pop()
        return text

    # --- playing output back --------------------------------------------------------

    def feed(self, text: str) -> None:
        text = _OSC.sub("", text)
        at = 0
        while at < len(text):
            char = text[at]
            if char == "\x1b":
                match = _CSI.match(text, at)
                if match is None:
                    at += 1  # an escape this screen does not know: skip the ESC
                    continue
                self._control(match.group(1), match.group(2))
                at = match.end()
                continue
            self._char(char)
            at += 1

    def _char(self, char: str) -> None:
        if char == "\r":
            self.col = 0
        elif char == "\n":
            self._ups = 0
            self._down()
        elif char == "\b":
            self.col = max(self.col - 1, 0)
        elif char in "\x07\x00":
            pass
        else:
            self._ups = 0
            if self.col >= self.columns:
                self.overflow.append("".join(self.cells[self.row]))
                self.col = 0
                self._down()
            self.cells[self.row][self.col] = char
            self.col += 1

    def _down(self) -> None:
        if self.row == self.rows - 1:
            self.scrolled.append("".join(self.cells[0]).rstrip())
            self.cells = [*self.cells[1:], [" "] * self.columns]
        else:
            self.row += 1

    def _control(self, params: str, final: str) -> None:
        if params.startswith("?") or final == "m":
            return  # cursor visibility, alternate screen, colours
        numbers = [int(part) if part else 0 for part in params.split(";")] if params else []
        first = numbers[0] if numbers else 0
        count = max(first, 1)
        if final == "A":
            self._ups += count
            self.tallest_frame = max(self.tallest_frame, self._ups + 1)
            self.row = max(self.row - count, 0)
        elif final == "B":
            self.row = min(self.row + count, self.rows - 1)
        elif final == "C":
            self.col = min(self.col + count, self.columns)
        elif final == "D":
            self.col = max(self.col - count, 0)
        elif final == "G":
            self.col = min(count - 1, self.columns)
        elif final == "H":
            self.row = min(count - 1, self.rows - 1)
            self.col = min((numbers[1] if len(numbers) > 1 else 1) - 1, self.columns)
        elif final == "K":
            line = self.cells[self.row]
            span = {
                0: range(self.col, self.columns),
                1: range(self.col + 1),
                2: range(self.columns),
            }
            for index in span.get(first, range(0)):
                if index < self.columns:
                    line[index] = " "
        elif final == "J" and first == 2:
            self.cells = [[" "] * self.columns for _ in range(self.rows)]


@attrs.frozen
class TerminalRun:
    """What a command printed: its exit code, its stdout, and the terminal's bytes."""

    returncode: int
    stdout: str
    terminal: str

    def screen(self, columns: int, rows: int) -> Screen:
        screen = Screen(columns, rows)
        screen.feed(self.terminal)
        return screen

    def frames(self, columns: int, rows: int) -> list[list[str]]:
        """The screen as it read each time a live display was about to redraw, and at
        the end: every state of the display a user saw."""
        screen = Screen(columns, rows)
        seen: list[list[str]] = []
        start = 0
        for match in _REDRAW.finditer(self.terminal):
            screen.feed(self.terminal[start : match.start()])
            start = match.start()
            seen.append(screen.lines)
        screen.feed(self.terminal[start:])
        seen.append(screen.lines)
        return [frame for frame in seen if frame]


def run_in_terminal(
    command: Sequence[str],
    *,
    columns: int,
    rows: int,
    env: dict[str, str],
    timeout: float = 60.0,
    on_output: Callable[[str, subprocess.Popen[bytes]], None] | None = None,
) -> TerminalRun:
    """Run ``command`` on a ``columns`` x ``rows`` pseudo-terminal (stdin and stderr).

    ``on_output(everything_so_far, process)`` is called whenever the terminal receives
    something, e.g. to send a signal once the display shows.
    """
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    environment = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    environment["TERM"] = "xterm-256color"
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        environment.pop(name, None)
    process = subprocess.Popen(
        list(command),
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=environment,
        start_new_session=True,  # its own session: the terminal becomes its controlling one
    )
    os.close(slave)
    received = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while True:
            if time.monotonic() > deadline:
                raise AssertionError(f"{command!r} still running after {timeout} s")
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: every writer to the terminal has closed it
                    chunk = b""
                if chunk:
                    received += chunk
                    if on_output is not None:
                        on_output(received.decode("utf-8", "replace"), process)
                    continue
                if process.poll() is not None:
                    break
            elif process.poll() is not None:
                break
        assert process.stdout is not None
        stdout = process.stdout.read().decode("utf-8", "replace")
        return TerminalRun(process.wait(timeout=10), stdout, received.decode("utf-8", "replace"))
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
        os.close(master)
