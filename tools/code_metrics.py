#!/usr/bin/python3
"""Two measures of the engine's structure, for reviews of restructurings.

  code_metrics.py functions [--over N]   lengths of the C++ functions under engine/ and
                                         bindings/src/ (median, 90th percentile, the longest)
  code_metrics.py includes               the include graph between engine areas, and its cycles

Functions are found in clang-formatted code: a definition is a statement with a parameter list
that a '{' ends (signature, constructor initialisers included), and it ends at the first line that
is only '}' at the indentation of its first line. Lambdas count toward the function around them.
"""
import argparse
import pathlib
import re
import statistics
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = ["engine/src", "engine/cli", "engine/include", "bindings/src"]
def functions():
    out = []
    control = re.compile(r"^\s*(if|for|while|switch|catch|else|do|namespace|struct|class|enum|"
                         r"union|return|extern)\b")
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in {".cpp", ".h"}:
                continue
            lines = path.read_text().splitlines()
            i = 0
            while i < len(lines):
                line = lines[i]
                if not line.rstrip().endswith("{") or line.lstrip().startswith(("//", "#")):
                    i += 1
                    continue
                # The statement that this brace opens starts after the previous ; { } line.
                first = i
                while first > 0:
                    prev = lines[first - 1].rstrip()
                    if (not prev.strip() or prev.endswith((";", "{", "}", "*/"))
                            or prev.lstrip().startswith(("//", "#", "template", "public:",
                                                         "private:", "protected:"))):
                        break
                    first -= 1
                text = " ".join(l.strip() for l in lines[first:i + 1])
                is_function = ("(" in text and not control.match(lines[first])
                               and "=" not in text.split("(")[0] and not text.startswith(":"))
                if not is_function:
                    i += 1
                    continue
                indent = re.match(r"\s*", lines[first]).group(0)
                end = i + 1
                while end < len(lines) and lines[end].rstrip() != indent + "}":
                    end += 1
                if end >= len(lines):
                    i += 1
                    continue
                name = text.split("(")[0].split()[-1] if text.split("(")[0].split() else "?"
                out.append((end - first + 1, f"{path.relative_to(ROOT)}:{first + 1}", name))
                i = end + 1
    return out


def area_of(path):
    parts = path.relative_to(ROOT).parts
    if parts[0] == "engine" and parts[1] in {"src", "include"}:
        rest = parts[3:] if parts[1] == "include" else parts[2:]
        return rest[0] if len(rest) > 1 else "core"
    return parts[0] + "/" + parts[1]


def includes():
    edges = {}
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".cpp", ".h"}:
                continue
            a = area_of(path)
            for line in path.read_text().splitlines():
                m = re.match(r'#include "healthcast/([a-z_]+)/', line)
                if m and m.group(1) != a:
                    edges.setdefault(a, set()).add(m.group(1))
    return edges


def cycles(edges):
    found = set()

    def visit(node, stack):
        for nxt in sorted(edges.get(node, ())):
            if nxt in stack:
                cyc = stack[stack.index(nxt):]
                k = cyc.index(min(cyc))
                found.add(tuple(cyc[k:] + cyc[:k]))
            elif len(stack) < 12:
                visit(nxt, stack + [nxt])

    for n in sorted(edges):
        visit(n, [n])
    return sorted(found)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["functions", "includes"])
    p.add_argument("--over", type=int, default=60)
    args = p.parse_args()
    if args.what == "functions":
        f = functions()
        n = sorted(x[0] for x in f)
        print(f"{len(n)} functions: median {statistics.median(n):.0f} lines, "
              f"90% under {n[int(0.9 * len(n))]}, longest {n[-1]}")
        for length, where, name in sorted(f, reverse=True):
            if length > args.over:
                print(f"  {length:4d}  {name:<40} {where}")
    else:
        edges = includes()
        for a in sorted(edges):
            print(f"  {a:<16} -> {', '.join(sorted(edges[a]))}")
        cyc = cycles({k: v for k, v in edges.items() if "/" not in k})
        print("cycles between areas:", "none" if not cyc else "")
        for c in cyc:
            print("  " + " -> ".join(c + (c[0],)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
