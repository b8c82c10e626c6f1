"""xml.dom.minidom garbage, bigger than testdata/python/minidom.py: an
inventory of ITEMS items parsed DOCS times and dropped without unlink(),
so that each document is one garbage SCC (parentNode, childNodes,
ownerDocument, ownerElement cycles) of about 11 objects per item.  The
shape that made `render --garbage --top 2` run for minutes in dot.

    PYTHONPATH=formats/python python3 bench/minidom_garbage.py OUT.jsonl [ITEMS [DOCS]]
"""
import gc
import sys
import xml.dom.minidom

import cycletool_dump

gc.disable()
gc.collect()
gc.freeze()

items = int(sys.argv[2]) if len(sys.argv) > 2 else 50
docs = int(sys.argv[3]) if len(sys.argv) > 3 else 4
XML = '<inventory>%s</inventory>' % ''.join(
    '<item sku="s%d"><name>part %d</name><qty>%d</qty></item>' % (i, i, i % 97)
    for i in range(items))

for i in range(docs):
    xml.dom.minidom.parseString(XML)

cycletool_dump.dump(sys.argv[1])
