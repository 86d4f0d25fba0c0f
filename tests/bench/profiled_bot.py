"""`workshop-bot` with every thread under cProfile (Python 3.11 has no all-threads profiler).

    python -m tests.bench.profiled_bot OUT run --http ...

The bot's work happens on waitress's and the executors' threads, not the main one, so each
thread started here gets a profiler of its own; on exit (SIGTERM ends `run` normally) they are
merged into OUT (pstats format: `python -m pstats OUT`, or `sort cumulative` / `stats 25`).
SIGUSR1 prints every thread's stack (a stuck bot: where is it waiting?).
"""

from __future__ import annotations

import cProfile
import faulthandler
import pstats
import signal
import sys
import threading

_profiles: list[cProfile.Profile] = []
_lock = threading.Lock()
_start = threading.Thread.run


def _profiled_run(self: threading.Thread) -> None:
    profile = cProfile.Profile()
    with _lock:
        _profiles.append(profile)
    profile.enable()
    try:
        _start(self)
    finally:
        profile.disable()


def main() -> int:
    out, argv = sys.argv[1], sys.argv[2:]
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 PID`: every thread's stack on stderr
    threading.Thread.run = _profiled_run  # type: ignore[method-assign]
    from bot.cli import main as bot_main

    main_profile = cProfile.Profile()
    main_profile.enable()
    try:
        return bot_main(argv)
    finally:
        main_profile.disable()
        with _lock:
            profiles = [main_profile, *_profiles]
        stats = pstats.Stats(profiles[0])
        for profile in profiles[1:]:
            try:
                stats.add(profile)
            except (TypeError, ValueError):  # a thread still running with no stats yet
                continue
        stats.dump_stats(out)


if __name__ == "__main__":
    sys.exit(main())
