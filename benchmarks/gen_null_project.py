"""Generate a project of N `null` resources with fan-in/fan-out references.

Resource i references two earlier resources (i//2 and i-1: a binary fan-out tree plus a
chain), and every 100th resource references ten earlier ones (fan-in). Files of 1,000
resources each, like a real project split across files.

    python benchmarks/gen_null_project.py N DIR
"""

from __future__ import annotations

import sys
from pathlib import Path


def generate(n: int, directory: Path) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.ops.yaml"):
        old.unlink()
    edges = 0
    per_file = 1000
    for start in range(0, n, per_file):
        lines = ["resources:"]
        for i in range(start, min(n, start + per_file)):
            refs = sorted({i // 2, i - 1} - {i}) if i > 0 else []
            if i % 100 == 0 and i >= 10:
                refs = sorted(set(refs) | {i - k for k in range(1, 11)})
            edges += len(refs)
            lines.append(f"  null.n{i}:")
            lines.append("    triggers:")
            lines.append(f"      index: {i}")
            for j, r in enumerate(refs):
                lines.append(f'      r{j}: "${{null.n{r}.id}}"')
        (directory / f"part{start // per_file:04d}.ops.yaml").write_text("\n".join(lines) + "\n")
    return edges


if __name__ == "__main__":
    count = int(sys.argv[1])
    print(generate(count, Path(sys.argv[2])), "edges")
