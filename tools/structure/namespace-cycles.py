#!/usr/bin/env python3
"""Namespace dependency cycles among the folders of build/ (one namespace each), derived from the sources:
`using JenkinsOnEcs.Build.X;` lines and qualified references `X.Type` to a type declared in folder X.
The root folder's files split in two nodes: "(composition)" (BuildContext, BuildLifetime, BuildHost, Program,
RunOptions: the run's context, options and wiring, which reference every folder by design) and "(root)" (the shared leaves: BuildException,
Conventions, RenderedFile, RepositoryRoot). Every folder sees the root namespace without a using (C# nesting), so a
root edge is counted where a folder names one of its types (not as a member, e.g. settings.RepositoryRoot).
Usage: namespace-cycles.py [build-dir]   Prints the edges' strongly connected components of more than one node;
exits 1 when there is one (tests/Build.Tests/Structure/FolderCycleTests.cs runs it on build/)."""
import os, re, sys
from collections import defaultdict

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'build')
composition = {'BuildContext.cs', 'BuildLifetime.cs', 'BuildHost.cs', 'Program.cs', 'RunOptions.cs'}
files = defaultdict(list)
for dirpath, dirs, names in os.walk(root):
    dirs[:] = [d for d in dirs if d not in ('bin', 'obj')]
    for n in names:
        if n.endswith('.cs'):
            rel = os.path.relpath(dirpath, root)
            folder = ('(composition)' if n in composition else '(root)') if rel == '.' else rel.split(os.sep)[0]
            files[folder].append(os.path.join(dirpath, n))
types = defaultdict(set)
texts = {}
for folder, paths in files.items():
    for p in paths:
        t = open(p, encoding='utf-8').read()
        texts[p] = (folder, t)
        for m in re.finditer(r'\b(?:class|record|interface|enum|struct)\s+([A-Z]\w*)', t):
            types[folder].add(m.group(1))
edges = defaultdict(set)
for p, (folder, t) in texts.items():
    code = re.sub(r'//.*', '', t)
    for m in re.finditer(r'using\s+JenkinsOnEcs\.Build\.(\w+)\s*;', code):
        if m.group(1) != folder and m.group(1) in files:
            edges[folder].add(m.group(1))
    for other in files:
        if other in (folder, '(root)', '(composition)'):
            continue
        for m in re.finditer(r'(?<![\w.])' + re.escape(other) + r'\.([A-Z]\w*)', code):
            if m.group(1) in types[other]:
                edges[folder].add(other)
    for node in ('(root)', '(composition)'):
        if folder == node:
            continue
        for name in types[node]:
            if re.search(r'(?<![\w.])' + name + r'\b', code):
                edges[folder].add(node)
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1; stack.append(v); on.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        sccs.append(comp)
sys.setrecursionlimit(10000)
for v in sorted(files):
    if v not in index:
        visit(v)
cycles = [sorted(c) for c in sccs if len(c) > 1]
for c in cycles:
    inner = {a: sorted(edges[a] & set(c)) for a in c}
    print('cycle: ' + ', '.join(c))
    for a in c:
        print(f'  {a} -> {", ".join(inner[a])}')
print(f'{len(cycles)} cycle(s) among {len(files)} folders')
sys.exit(1 if cycles else 0)
