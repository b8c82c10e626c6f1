// A small heap with known shape, for cycletool's HPROF tests
// (testdata/java/make_dump.sh runs it and commits it gzip'd as leaky.hprof.gz).
//
// What it makes, alive unless said otherwise:
//   - 1 Owner <-> Pet pair (a cycle between two classes), held by a static
//   - 1 HashMap cache (static CACHE) of 200 CacheEntry objects, each with a
//     512-byte payload: the biggest retainer of the program's own
//   - a linked list of 50 Link objects held by a static
//   - a WeakReference whose referent (a Weakling) nothing else holds: garbage
//   - 3 Orphan <-> Orphan pairs that nothing holds: garbage cycles
//   - strings "leaky-marker-42" and "cache-key-7" (a cache key)
//   - a thread whose local variable holds a Held object (a Java frame root)
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

public class Leaky {
    static class Owner {
        String name = "owner";
        Pet pet;
    }

    static class Pet {
        String name = "pet";
        Owner owner;
    }

    static class CacheEntry {
        final String key;
        final byte[] payload;

        CacheEntry(String key, int size) {
            this.key = key;
            this.payload = new byte[size];
        }
    }

    static class Link {
        int index;
        Link next;
    }

    static class Weakling {
        long stamp = 12345;
    }

    static class Orphan {
        Orphan other;
    }

    static class Held {
        String what = "held-by-a-thread";
    }

    static Owner OWNER;
    static final Map<String, CacheEntry> CACHE = new HashMap<>();
    static Link HEAD;
    static WeakReference<Weakling> WEAK;
    static String MARKER;

    public static void main(String[] args) throws Exception {
        String out = args.length > 0 ? args[0] : "leaky.hprof";

        Owner o = new Owner();
        Pet p = new Pet();
        o.pet = p;
        p.owner = o;
        OWNER = o;

        for (int i = 0; i < 200; i++) {
            String key = "cache-key-" + i;
            CACHE.put(key, new CacheEntry(key, 512));
        }

        for (int i = 49; i >= 0; i--) {
            Link l = new Link();
            l.index = i;
            l.next = HEAD;
            HEAD = l;
        }

        WEAK = new WeakReference<>(new Weakling());

        for (int i = 0; i < 3; i++) {
            Orphan a = new Orphan();
            Orphan b = new Orphan();
            a.other = b;
            b.other = a;
        }

        MARKER = new String("leaky-marker-" + 42);

        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            Held h = new Held();
            started.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                return;
            }
            System.out.println(h.what);
        }, "holder");
        t.start();
        started.await();

        HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(
                HotSpotDiagnosticMXBean.class);
        // live = false: unreachable objects stay in the dump (like jcmd -all).
        bean.dumpHeap(out, false);

        done.countDown();
        t.join();
        System.out.println(MARKER + " " + CACHE.size() + " " + HEAD.index + " "
                + OWNER.pet.name + " " + (WEAK.get() != null));
    }
}
