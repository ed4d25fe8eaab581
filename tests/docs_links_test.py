#!/usr/bin/env python3
"""docs.links: every Markdown document of the source tree points only inside the repository.

Usage: docs_links_test.py SOURCE_DIR

Checks, outside fenced code blocks:
- every relative link [text](target) names a file or folder that exists, and its #anchor (if
  any) a heading of that document (GitHub's heading ids);
- a link to an anchor of the same document (#anchor) names one of its headings;
- no link or path leaves the repository (a target resolving outside SOURCE_DIR, /work/...);
- every path written as plain text in backticks that names a Markdown document
  (`docs/x.md`, `state/README.md`) exists;
- the top-level README.md links every docs/*.md (its map of the documentation).
Web links (http, https, mailto) are not followed. Exit 0 when all hold, else 1 with one line per
problem: file:line: what is wrong.
"""
import os
import re
import sys

SKIP_DIRS = {".git", "node_modules", "__pycache__"}
LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)\)")
CODE_PATH = re.compile(r"`([A-Za-z0-9_./-]+\.md)`")


def markdown_files(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS and not x.startswith("build")]
        for f in files:
            if f.endswith(".md"):
                yield os.path.join(d, f)


def prose_lines(path):
    """(line number, text) of the lines outside fenced code blocks."""
    fenced = False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.lstrip().startswith("```"):
                fenced = not fenced
                continue
            if not fenced:
                yield n, line


def slug(heading):
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        seen, ids = {}, set()
        for _, line in prose_lines(path):
            m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
            if m:
                base = slug(m.group(1))
                k = seen.get(base, 0)
                ids.add(base if k == 0 else f"{base}-{k}")
                seen[base] = k + 1
        cache[path] = ids
    return cache[path]


def check(root):
    root = os.path.realpath(root)
    problems = []
    for doc in sorted(markdown_files(root)):
        rel = os.path.relpath(doc, root)
        here = os.path.dirname(doc)
        for n, line in prose_lines(doc):
            if "/work/" in line or "../shared" in line:
                problems.append(f"{rel}:{n}: points outside the repository")
            for target in LINK.findall(line):
                if re.match(r"(https?|mailto):", target):
                    continue
                path, _, anchor = target.partition("#")
                dest = os.path.realpath(os.path.join(here, path)) if path else doc
                if not (dest == root or dest.startswith(root + os.sep)):
                    problems.append(f"{rel}:{n}: link {target} leaves the repository")
                elif not os.path.exists(dest):
                    problems.append(f"{rel}:{n}: link {target}: no such file")
                elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
                    problems.append(f"{rel}:{n}: link {target}: no such heading")
            stripped = LINK.sub("", line)
            for p in CODE_PATH.findall(stripped):
                if "<" in p or "*" in p:
                    continue
                if not (os.path.exists(os.path.join(root, p)) or os.path.exists(os.path.join(here, p))):
                    problems.append(f"{rel}:{n}: names {p}, which does not exist")
    readme = os.path.join(root, "README.md")
    docs = os.path.join(root, "docs")
    if os.path.isfile(readme) and os.path.isdir(docs):
        linked = set(LINK.findall(open(readme, encoding="utf-8").read()))
        for f in sorted(os.listdir(docs)):
            if f.endswith(".md") and f"docs/{f}" not in linked:
                problems.append(f"README.md: the map of docs/ does not list docs/{f}")
    return problems


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print("usage: docs_links_test.py SOURCE_DIR", file=sys.stderr)
        return 2
    problems = check(sys.argv[1])
    for p in problems:
        print(p)
    count = sum(1 for _ in markdown_files(sys.argv[1]))
    print(f"{count} documents, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
