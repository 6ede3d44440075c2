"""Exceptions that tell an analyst what is wrong, where, and how to fix it.

Every failure a user can cause (a mistyped number, a missing source, an edited
file) is raised as a :class:`KfError` whose message names the file, and where
there is one the line and column, followed by a line starting ``Fix:``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class KfError(Exception):
    """Base class for every error kfanalysis raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in a file.

    Attributes:
        file: Path of the file, relative to the project root where possible.
        what: What is wrong, in plain words.
        fix: What to do about it.
        line: 1-based line number in the file (the header is line 1), if known.
        column: Column name, if the problem belongs to one column.
    """

    file: str
    what: str
    fix: str
    line: int | None = None
    column: str | None = None

    def where(self) -> str:
        """Render 'file, line N, column 'x'' with only the parts that are known."""
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where()}: {self.what}\n  Fix: {self.fix}"


class RawDataError(KfError):
    """A raw file failed a check; carries every problem found, not just the first.

    The message groups the problems by file and says each distinct problem once: the
    same fault on many rows (say, a source id missing from sources.toml) is one entry
    listing its lines, so the reader sees how many different things to fix.
    """

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("RawDataError needs at least one problem")
        self.problems = problems
        super().__init__(render_problems(problems))


#: Distinct problems shown per message; the rest are counted so a flood stays readable.
SHOWN = 20
#: Lines listed for one problem that recurs on many rows.
SHOWN_LINES = 8


def _lines_text(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:SHOWN_LINES])
    more = f" and {len(lines) - SHOWN_LINES} more" if len(lines) > SHOWN_LINES else ""
    return f"line {shown}" if len(lines) == 1 else f"lines {shown}{more}"


def render_problems(problems: list[Problem]) -> str:
    """Render problems grouped by file, each distinct (what, column, fix) once with its lines.

    Exact repeats (the same problem reached from two tables) are counted once.
    """
    unique = list(dict.fromkeys(problems))
    groups: dict[str, dict[tuple[str, str | None, str], list[int | None]]] = {}
    for problem in unique:
        by_kind = groups.setdefault(problem.file, {})
        by_kind.setdefault((problem.what, problem.column, problem.fix), []).append(problem.line)
    distinct = sum(len(kinds) for kinds in groups.values())
    if len(unique) == 1:
        head = "problem in raw data:"
    else:
        files = f" in {len(groups)} files" if len(groups) > 1 else ""
        grouped = f" ({distinct} distinct)" if distinct != len(unique) else ""
        head = f"{len(unique)} problem(s){grouped} in raw data{files}:"
    out = [head]
    shown = 0
    for file, kinds in groups.items():
        if len(groups) > 1:
            out.append(f"{file}:")
        for (what, column, fix), lines in kinds.items():
            if shown == SHOWN:
                break
            shown += 1
            numbered = sorted({n for n in lines if n is not None})
            parts = [file]
            if numbered:
                parts.append(_lines_text(numbered))
            if column is not None:
                parts.append(f"column '{column}'")
            out.append(f"- {', '.join(parts)}: {what}\n  Fix: {fix}")
    if distinct > shown:
        out.append(f"- ... and {distinct - shown} more distinct problem(s)")
    return "\n".join(out)


class ChecksumError(RawDataError):
    """A raw file's bytes do not match data/raw/SHA256SUMS (or it is not listed there)."""


class FigureInputError(KfError):
    """A figure cannot be built because a table lacks something the figure needs."""


class RealTermsError(KfError, ValueError):
    """A table cannot be put in (or out of) real terms as asked: wrong basis, bad year, unknown edition.

    It is also a ``ValueError``, because in every case the argument's value is what is wrong.
    """


class ForecastDeflatorWarning(UserWarning):
    """A real-terms value rests on forecast deflator values, which later editions revise."""


#: Exit code of a command stopped by Ctrl-C, as shells report a process ended by SIGINT.
EXIT_INTERRUPTED = 130

#: What an operating-system error means to someone writing files, and what to do, by errno name.
_OS_FIXES = {
    "EACCES": ("permission denied", "make the folder writable (chmod u+w; chattr -i if it is immutable)"),
    "EPERM": ("not permitted", "make the folder writable (chmod u+w; chattr -i if it is immutable)"),
    "EROFS": ("the file system is read-only", "write to a writable file system (build --out DIR)"),
    "ENOSPC": ("no space left on the device", "free space on that disk (df -h shows it), then run again"),
    "EDQUOT": ("disk quota exceeded", "free some space within your quota, then run again"),
    "EFBIG": (
        "file too large for the file system or the limit of this shell",
        "raise the limit (ulimit -f unlimited) or write to another file system",
    ),
    "ENOENT": ("no such file or folder", "check the path; restore a missing project file with git checkout"),
    "EBUSY": ("the file is in use", "close the program holding it, then run again"),
    "ETXTBSY": ("the file is in use", "close the program holding it, then run again"),
}


def os_error_line(exc: OSError) -> str:
    """One line for a failed file operation: the path, what went wrong, and a fix.

    The message is worded for writing, the usual cause, and names both paths of a failed
    rename, e.g. ``data/processed/ledger.csv: no space left on the device (ENOSPC). Fix: ...``.
    """
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    what, fix = _OS_FIXES.get(name, (exc.strerror or str(exc), "check the path and the disk, then run again"))
    paths = [str(p) for p in (exc.filename, exc.filename2) if p is not None]
    where = " -> ".join(paths) if paths else "a file"
    code = f" ({name})" if name else ""
    return f"{where}: {what}{code}. Fix: {fix}"


def run_reporting_failures(prog: str, action: Callable[[], int], *, debug: bool = False) -> int:
    """Run one command; turn a failure the user can act on into one line on stderr and an exit code.

    A ``KfError`` prints its message (exit 1); an ``OSError`` (a read-only folder, a
    full disk, a file-size limit) prints the path and a fix (exit 1); Ctrl-C prints
    one line (exit 130). With ``debug`` the traceback follows, for a bug report.
    Every command of the command line runs through here, so one added later gets
    the same behaviour without code of its own.

    Args:
        prog: What to prefix each message with, e.g. ``"kfanalysis build"``.
        action: Runs the command and returns its exit code.
        debug: Print the traceback after the message.
    """
    import sys
    import traceback

    try:
        return action()
    except BrokenPipeError:
        raise  # the reader went away: the caller decides; not a failure to report
    except (KfError, OSError, KeyboardInterrupt) as exc:
        if isinstance(exc, KeyboardInterrupt):
            message = "interrupted (Ctrl-C); outputs already in place were left as they were"
            code = EXIT_INTERRUPTED
        elif isinstance(exc, OSError):
            message, code = os_error_line(exc), 1
        else:
            message, code = str(exc), 1
        if debug:
            traceback.print_exc()
        print(f"{prog}: {message}", file=sys.stderr)
        return code
