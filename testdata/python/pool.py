"""A connection pool whose connections hold a closure back to the pool
(pool -> free list -> connection -> on_close function -> cell -> pool).
Eight pools are dropped (garbage), one is kept by the module.

Made with the command-line runner, which dumps when the script ends:

    python3 -m cycletool_dump -o OUT.jsonl -- pool.py
"""
import gc

gc.disable()
gc.collect()
gc.freeze()


class Connection:
    def __init__(self, pool, n):
        self.n = n

        def on_close():
            pool.release(self)
        self.on_close = on_close


class Pool:
    def __init__(self, size):
        self.free = [Connection(self, i) for i in range(size)]
        self.busy = []

    def release(self, conn):
        self.busy.remove(conn)
        self.free.append(conn)


for i in range(8):
    Pool(3)
pool = Pool(4)
