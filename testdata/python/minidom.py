"""xml.dom.minidom documents: parent/child/ownerDocument cycles.  Three
parsed documents are dropped without unlink() (garbage), one is unlinked
and dropped (freed at once), one is kept.

    python3 minidom.py OUT.jsonl
"""
import gc
import sys
import xml.dom.minidom

import cycletool_dump

gc.disable()
gc.collect()
gc.freeze()

XML = """<inventory>
  <item sku="a1"><name>bolt</name><qty>40</qty></item>
  <item sku="b2"><name>nut</name><qty>25</qty></item>
</inventory>"""

for i in range(3):
    xml.dom.minidom.parseString(XML)
doc = xml.dom.minidom.parseString(XML)
doc.unlink()
doc = None
kept = xml.dom.minidom.parseString(XML)

cycletool_dump.dump(sys.argv[1])
