"""``kill -9`` of ``opspec apply`` at random moments never corrupts state or loses finished work.

Each round changes a variable that every resource depends on (so the whole graph of ~40
resources is replaced or updated), starts ``apply``, SIGKILLs it after a random delay, and then
checks that the state database opens and holds every resource the apply reported as complete,
with the id it reported. The next round's apply takes over the dead process's lock by itself.
A final apply converges to a plan without changes.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import threading
import time
from contextlib import closing

import pytest
from cli_harness import CliProject, completed_ids

ROUNDS = 6
WALK_S = 2.5  # kills land at most this many seconds after the walk's first line
FANS = 16
CHAIN = 10
GATES = (3, 6, 9)  # links of the chain that go through a command

_PROGRESS = re.compile(r": (Creating|Replacing|Modifying|Destroying)\.\.\.$")


def _spec() -> str:
    keys = ", ".join(f"k{i}" for i in range(FANS))
    lines = [
        "variables:",
        "  round: {type: string, default: '0'}",
        "resources:",
        "  null.root:",
        '    triggers: {round: "${var.round}"}',
        "  command.step:",
        "    for_each: [s0, s1, s2]",
        '    create: "sleep 0.2; echo ${each.key}-${var.round}"',
        '    triggers: {root: "${null.root.id}"}',
        "  null.fan:",
        f"    for_each: [{keys}]",
        '    triggers: {root: "${null.root.id}", key: "${each.key}"}',
        "  file.chain0:",
        "    path: out/chain0.txt",
        "    content: \"${command.step['s0'].stdout} ${null.fan['k0'].id}\"",
    ]
    for i in range(1, CHAIN):
        previous = f"${{file.chain{i - 1}.sha256}}"
        if i in GATES:
            # A command between two links spreads the chain's state writes over time.
            lines += [
                f"  command.gate{i}:",
                f'    create: "sleep 0.05; echo {previous}"',
            ]
            previous = f"${{command.gate{i}.stdout}}"
        lines += [
            f"  file.chain{i}:",
            f"    path: out/chain{i}.txt",
            f'    content: "{i} {previous}"',
        ]
    lines += [
        "  null.tail:",
        "    for_each: [t0, t1, t2]",
        f'    triggers: {{last: "${{file.chain{CHAIN - 1}.sha256}}",',
        "               step: \"${command.step['s2'].id}\"}",
        "  command.final:",
        '    create: "sleep 0.1; echo final"',
        "    depends_on: [null.tail, command.step]",
    ]
    return "\n".join(lines) + "\n"


class _Reader(threading.Thread):
    """Collects an apply's output and notes when its walk has begun (the first progress line)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        super().__init__(daemon=True)
        self.proc = proc
        self.lines: list[str] = []
        self.walking = threading.Event()

    def run(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if _PROGRESS.search(line):
                self.walking.set()
        self.walking.set()

    def output(self) -> str:
        return "".join(self.lines)


@pytest.mark.slow
def test_kill_9_during_apply_keeps_state_consistent(cli: CliProject) -> None:
    cli.write(_spec())
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    history = []
    walk_s = WALK_S
    for n in range(ROUNDS):
        proc = cli.start("apply", "--auto-approve", "--var", f"round={n}")
        reader = _Reader(proc)
        reader.start()
        assert reader.walking.wait(timeout=120), "the apply never started its walk"
        walking_since = time.monotonic()
        delay = rng.uniform(0.0, walk_s)
        time.sleep(delay)
        killed = proc.poll() is None
        if killed:
            os.kill(proc.pid, signal.SIGKILL)
        else:
            # It finished first: aim the next kills inside a walk this short.
            walk_s = min(walk_s, 0.8 * (time.monotonic() - walking_since))
        proc.wait(timeout=120)
        reader.join(timeout=30)
        out = reader.output()
        reported = completed_ids(out)
        history.append(
            f"round {n}: kill {delay:.2f}s into the walk, killed={killed}, "
            f"rc={proc.returncode}, {len(reported)} complete"
        )
        context = f"seed {seed}; " + "; ".join(history) + f"\n{out}"
        assert killed or proc.returncode == 0, context

        with closing(sqlite3.connect(f"file:{cli.state_db}?mode=ro", uri=True)) as db:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)], context
        # The database opens, and every resource reported complete is there with its new id.
        listed = cli.run("state", "list")
        ids = cli.ids()
        assert listed.stdout.splitlines() == sorted(ids), context
        missing = {a: i for a, i in reported.items() if ids.get(a) != i}
        assert missing == {}, context

    assert sum("killed=True" in h for h in history) >= ROUNDS // 2, history
    final = cli.run("apply", "--auto-approve", "--var", "round=final")
    assert "Apply complete!" in final.stdout or "No changes" in final.stdout
    cli.run("plan", "--detailed-exitcode", "--var", "round=final")
    assert len(cli.addresses()) == 1 + 3 + FANS + CHAIN + len(GATES) + 3 + 1
