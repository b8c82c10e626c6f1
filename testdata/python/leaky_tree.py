"""Leaks 50 parent/children trees (each a garbage cycle: node -> children
list -> child -> parent) and keeps 2 alive in a global.

    python3 leaky_tree.py OUT.jsonl
"""
import gc
import sys

import cycletool_dump

gc.disable()
gc.collect()
gc.freeze()        # startup objects: written as frozen, keeps the dump small


class TreeNode:
    def __init__(self, name, parent=None):
        self.name = name
        self.parent = parent
        self.children = []
        if parent is not None:
            parent.children.append(self)


def build(tag):
    root = TreeNode(tag)
    for i in range(3):
        TreeNode("%s.%d" % (tag, i), root)
    return root


for i in range(50):
    build("leak%d" % i)
kept = [build("kept0"), build("kept1")]

cycletool_dump.dump(sys.argv[1])
