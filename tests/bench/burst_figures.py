"""The figures of one burst phase, the table they are printed as, and the issue's targets.

Only measurements and arithmetic: nothing here asserts (wall times are no test), a missed
target is printed as FAIL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ACK_DEADLINE = 3.0  # seconds: Slack shows the person an error after this
TARGETS = (  # (name, what is checked)
    ("acks", "every request acked within 3 s"),
    ("modals", "every modal opened within its trigger_id (3 s)"),
    ("p50", "ack p50 within 1.5x of bare Bolt"),
    ("p99", "ack p99 within 2x of bare Bolt"),
    ("cpu", "CPU per request within 2x of bare Bolt"),
    ("updates", "chat.update at most 1/s per board"),
    ("sync", "every board matches the database within 2 s of the last ack"),
    ("rss", "bot RSS at most 200 MB after the burst"),
)


@dataclass
class Phase:
    """One phase at one Slack latency: the bot's and bare Bolt's answers to the same requests."""

    name: str
    slack_ms: int
    payload_kb: float
    bot: list[float]  # ack latencies, seconds
    bare: list[float]
    cpu_bot: float  # seconds, from the burst until the work after it was done
    cpu_bare: float
    modals: int = 0  # views.open expected (one per click)
    opened: int = 0  # views.open that Slack accepted
    late: int = 0  # views.open refused as expired_trigger_id
    updates_per_s: int = 0  # most chat.update calls on one board within one second
    sync: float = 0.0  # seconds from the last ack until the last board matched the database
    rss_bot: float = 0.0  # MB
    rss_bare: float = 0.0

    def checks(self) -> dict[str, bool]:
        return {
            "acks": over(self.bot) == 0,
            "modals": self.opened == self.modals and self.late == 0,
            "p50": pct(self.bot, .5) <= 1.5 * pct(self.bare, .5),
            "p99": pct(self.bot, .99) <= 2 * pct(self.bare, .99),
            "cpu": self.cpu_bot / len(self.bot) <= 2 * self.cpu_bare / len(self.bare),
            "updates": self.updates_per_s <= 1,
            "sync": self.sync <= 2.0,
            "rss": self.rss_bot <= 200,
        }


def pct(values: list[float], q: float) -> float:
    """The q-quantile in ms (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def over(values: list[float]) -> float:
    """Share of acks slower than Slack's 3 s, in percent."""
    return 100 * sum(1 for v in values if v > ACK_DEADLINE) / len(values)


def max_per_second(times: list[float]) -> int:
    times = sorted(times)
    return max((sum(1 for u in times[i:] if u - t < 1.0) for i, t in enumerate(times)), default=0)


def _acks(values: list[float]) -> str:
    return f"{pct(values, .5):6.0f} {pct(values, .99):6.0f} {max(values) * 1000:6.0f} {over(values):5.1f}%"


def _ms(seconds: float, requests: int) -> str:
    return f"{seconds / requests * 1000:5.2f}"


def table(phases: list[Phase]) -> list[str]:
    head = (f"{'slack':>5} {'phase':<13} {'req':>4} {'KB':>5} | {'bot ack ms: p50':>15} {'p99':>6} {'max':>6} "
            f"{'>3s':>6} | {'bare ack ms: p50':>16} {'p99':>6} {'max':>6} {'>3s':>6} | {'p50x':>5} {'p99x':>5} | "
            f"{'CPU ms/req bot':>14} {'bare':>5} {'x':>5} | {'modals ok':>9} {'late':>4} | {'upd/s':>5} "
            f"{'sync s':>6} | {'RSS MB bot':>10} {'bare':>5}")
    lines = [head, "-" * len(head)]
    for p in phases:
        cpu_ratio = (p.cpu_bot / len(p.bot)) / max(1e-9, p.cpu_bare / len(p.bare))
        modals = f"{p.opened:>4}/{p.modals:<4}" if p.modals else f"{'-':>9}"
        late = f"{p.late:>4}" if p.modals else f"{'-':>4}"
        sync = f"{p.sync:6.2f}" if math.isfinite(p.sync) else f"{'>60':>6}"
        lines.append(
            f"{p.slack_ms:>3}ms {p.name:<13} {len(p.bot):>4} {p.payload_kb:5.1f} | {_acks(p.bot):>36} | "
            f"{_acks(p.bare):>37} | {pct(p.bot, .5) / pct(p.bare, .5):5.2f} {pct(p.bot, .99) / pct(p.bare, .99):5.2f}"
            f" | {_ms(p.cpu_bot, len(p.bot)):>14} {_ms(p.cpu_bare, len(p.bare))} {cpu_ratio:5.2f} | {modals} {late}"
            f" | {p.updates_per_s:>5} {sync} | {p.rss_bot:10.0f} {p.rss_bare:5.0f}")
    return lines


def verdicts(phases: list[Phase]) -> list[str]:
    """One line per target: PASS when every phase at every latency meets it, else the phases that miss."""
    lines = []
    for key, text in TARGETS:
        missed = [f"{p.name}@{p.slack_ms}ms" for p in phases if not p.checks()[key]]
        lines.append(f"{'PASS' if not missed else 'FAIL'}  {text}" + (f"  (missed: {', '.join(missed)})"
                                                                      if missed else ""))
    return lines
