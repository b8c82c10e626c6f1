"""The second workload of bench/scan_vs_networkx.sh: stdlib noise.

A heap like a real service's rather than one built for the benchmark:
logging (loggers, handlers, formatters), an asyncio loop that ran tasks,
parsed email messages, and xml.dom.minidom documents until the heap holds
about OBJECTS gc-tracked objects; half of the documents are kept, the
other half dropped without unlink(), so that each stays as one garbage
cycle (the collector is disabled first).  Run under the dumper:

    PYTHONPATH=formats/python python3 -m cycletool_dump -o OUT -- \\
        bench/stdlib_workload.py [--objects N]

The default (600000) makes a dump of about 120 MB.  bench/dump_speed.sh
builds the same heap with build().
"""
import gc

gc.disable()

import argparse
import asyncio
import email
import email.policy
import logging
import os
import xml.dom.minidom

KEEP = []


def build(target):
    logging.basicConfig(level=logging.WARNING, stream=open(os.devnull, "w"))
    for i in range(200):
        lg = logging.getLogger("app.mod%d.sub%d" % (i % 20, i))
        h = logging.StreamHandler(open(os.devnull, "w"))
        h.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        lg.addHandler(h)
        lg.warning("started %d", i)
    loop = asyncio.new_event_loop()

    async def work(n):
        await asyncio.sleep(0)
        return [n] * 3

    async def main():
        return await asyncio.gather(*(work(n) for n in range(500)))
    KEEP.append(loop.run_until_complete(main()))
    KEEP.append(loop)
    for i in range(300):
        m = email.message_from_string(
            "From: a%d@example.org\nTo: b@example.org\nSubject: hi %d\n"
            "Content-Type: text/plain\n\nbody %d\n" % (i, i, i),
            policy=email.policy.default)
        KEEP.append((m, m["subject"]))
    xml_text = "<inventory>%s</inventory>" % "".join(
        '<item sku="s%d"><name>part %d</name><qty>%d</qty></item>'
        % (i, i, i % 97) for i in range(200))
    base = len(gc.get_objects())
    xml.dom.minidom.parseString(xml_text)
    KEEP.append(xml.dom.minidom.parseString(xml_text))
    per = max(1, (len(gc.get_objects()) - base) // 2)
    docs = max(0, (target - len(gc.get_objects())) // per)
    for i in range(docs):
        d = xml.dom.minidom.parseString(xml_text)
        if i % 2:
            KEEP.append(d)       # alive; the others become garbage cycles
    d = None


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=600000)
    build(ap.parse_args().objects)
